import ExcelJS from 'exceljs';
import { type LedgerFacts, OVERVIEW_HEADER, type Row, ledgerSheets } from '../domain/ledger.ts';

// The 三会一课台账 as .xlsx workbooks: on each sheet a title row naming the branch and quarter and
// the header row, both frozen, columns as wide as their text.

export const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

/** `第一党支部2026年第四季度三会一课台账.xlsx`. */
export const ledgerFileName = (branch: string, quarterLabel: string) => `${branch}${quarterLabel}三会一课台账.xlsx`;

/** Display width of a cell's text: CJK and full-width characters count double. */
const widthOf = (value: string | number) => [...String(value)].reduce((n, ch) => n + (/[\u1100-\uffff]/u.test(ch) ? 2 : 1), 0);

/** The ledger as an .xlsx file. */
export async function ledgerXlsx(f: LedgerFacts): Promise<Buffer> {
  const book = new ExcelJS.Workbook();
  book.creator = '同心';
  for (const sheet of ledgerSheets(f)) {
    const ws = book.addWorksheet(sheet.name, { views: [{ state: 'frozen', ySplit: 2 }] });
    ws.addRow([`${f.branch.name} ${f.quarterLabel} 三会一课台账 · ${sheet.name}`]);
    ws.mergeCells(1, 1, 1, sheet.header.length);
    ws.getRow(1).font = { bold: true, size: 14 };
    ws.addRow(sheet.header).font = { bold: true };
    for (const row of sheet.rows) ws.addRow(row);
    sheet.header.forEach((title, i) => {
      const longest = Math.max(widthOf(title), ...sheet.rows.map((r) => widthOf(r[i] ?? '')));
      ws.getColumn(i + 1).width = Math.min(60, Math.max(8, longest + 2));
    });
  }
  return Buffer.from(await book.xlsx.writeBuffer());
}

/** Writes the org overview to `out` as an .xlsx, a page of branches at a time, so memory stays bounded. */
export async function writeOverviewXlsx(out: NodeJS.WritableStream, title: string, pages: AsyncIterable<Row[]>): Promise<void> {
  const book = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: out as never, useStyles: true, useSharedStrings: false });
  const ws = book.addWorksheet('各支部', { views: [{ state: 'frozen', ySplit: 2 }] });
  ws.columns = OVERVIEW_HEADER.map((h, i) => ({ width: i === 0 ? 30 : Math.max(10, widthOf(h) + 2) }));
  const titleRow = ws.addRow([title]);
  titleRow.font = { bold: true, size: 14 };
  ws.mergeCells(1, 1, 1, OVERVIEW_HEADER.length);
  titleRow.commit();
  const header = ws.addRow(OVERVIEW_HEADER);
  header.font = { bold: true };
  header.commit();
  for await (const rows of pages) for (const row of rows) ws.addRow(row).commit();
  ws.commit();
  await book.commit();
}

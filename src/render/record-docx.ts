import { AlignmentType, Document, Packer, Paragraph, Table, TableCell, TableRow, TextRun, WidthType } from 'docx';
import { backfilledBy } from '../domain/meeting-record.ts';
import { fileDateTime } from '../domain/time.ts';
import type { MeetingRecord } from './meeting-record.ts';

// The 会议记录 as a Word document, as a 机关 files it: a title, then one table row per
// item (名称, 时间, 地点, 主持人, 记录人, attendance, 议题, 纪要与决议, and for a 党员大会 whether
// more than half of the formal members were present). Built from the same record as the JSON.

export const DOCX = 'application/vnd.openxmlformats-officedocument.wordprocessingml.document';

/** `第一党支部支部党员大会记录（K7Q）.docx`: no character that markdown would escape when a reply names it. */
export const recordFileName = (branch: string, typeLabel: string, code: string) => `${branch}${typeLabel}记录（${code}）.docx`;

const STATUS_TEXT = { scheduled: '尚未召开', held: '已召开', not_held: '未召开', cancelled: '已取消' } as const;

const names = (people: { name: string }[]) => (people.length ? people.map((p) => p.name).join('、') : '无');
const who = (p: { id: string; name: string | null } | null) => (p ? (p.name ?? p.id) : '未记录');

const cell = (lines: string[], width: number, bold = false) =>
  new TableCell({
    width: { size: width, type: WidthType.PERCENTAGE },
    children: lines.map((text) => new Paragraph({ children: [new TextRun({ text, bold })] })),
  });

/** The rows of the record's table: a label and its lines. */
export function recordRows(record: MeetingRecord, facts: { branch: string; startsAt: number; tz: string }): [string, string[]][] {
  const leave = record.leave.map((l) => `${l.name}（${l.reason ?? '未写事由'}）`);
  const rows: [string, string[]][] = [
    ['支部', [facts.branch]],
    ['名称', [record.typeLabel]],
    ['时间', [fileDateTime(facts.startsAt, facts.tz)]],
    ['地点', [record.location ?? '未填写']],
    ['主持人', [who(record.host)]],
    ['记录人', [who(record.recorder)]],
    ['应到', [`${record.expected.length} 人：${names(record.expected)}`]],
    ['实到', [`${record.present.length} 人：${names(record.present)}`]],
    ['请假', [`${record.leave.length} 人${leave.length ? `：${leave.join('、')}` : ''}`]],
  ];
  // The same lines as the markdown record: 缺席 once held, 尚未签到 until then, neither when not held.
  if (record.status === 'held')
    rows.push(['缺席', [`${record.absent.length} 人${record.absent.length ? `：${names(record.absent)}` : ''}`]]);
  else if (record.status === 'scheduled') rows.push(['尚未签到', [`${record.pending.length} 人：${names(record.pending)}`]]);
  if (record.quorum && record.status === 'held') {
    const q = record.quorum;
    rows.push(['党员大会过半数', [`正式党员应到 ${q.formal} 人，实到 ${q.presentFormal} 人，${q.reached ? '已过半数' : '未过半数'}`]]);
  }
  rows.push(['议题', [record.topic ?? '未填写']]);
  rows.push(['纪要与决议', record.resolutions.length ? record.resolutions.map((r, i) => `${i + 1}. ${r.text}`) : ['无']]);
  if (record.status !== 'held')
    rows.push(['状态', [`${STATUS_TEXT[record.status]}${record.statusNote ? `（${record.statusNote}）` : ''}`]]);
  if (record.backfilled) rows.push(['补录', [backfilledBy(record.backfilled.by, Date.parse(record.backfilled.at), facts.tz)]]);
  return rows;
}

/** The record as a .docx file. Text goes in as text runs: nothing in it is read as markup. */
export async function recordDocx(record: MeetingRecord, facts: { branch: string; startsAt: number; tz: string }): Promise<Buffer> {
  const title = new Paragraph({
    alignment: AlignmentType.CENTER,
    spacing: { after: 240 },
    children: [new TextRun({ text: `${record.typeLabel}记录`, bold: true, size: 36 })],
  });
  const table = new Table({
    width: { size: 100, type: WidthType.PERCENTAGE },
    rows: recordRows(record, facts).map(([label, lines]) => new TableRow({ children: [cell([label], 22, true), cell(lines, 78)] })),
  });
  const doc = new Document({
    creator: '同心',
    title: `${record.typeLabel}记录 ${record.code}`,
    styles: { default: { document: { run: { font: 'SimSun', size: 24 } } } },
    sections: [{ children: [title, table] }],
  });
  return Packer.toBuffer(doc);
}

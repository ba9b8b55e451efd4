import { escapeHtml as escapeXml } from '../core/html.ts';

// Small charts as inline SVG, drawn on the server: the browser needs no chart library
// and the page works on an intranet. Every label is escaped; colours name nothing as good or bad
// beyond done / not yet, and nothing is ranked.

const DONE = '#b71c1c';
const TODO = '#f1d9d9';
const INK = '#333';

/** One bar per row: held of due, as a filled part of a track, with `held/due` at its end. */
export function progressBars(rows: { label: string; held: number; due: number }[], title: string): string {
  const rowHeight = 28;
  const labelWidth = 150;
  const track = 260;
  const width = labelWidth + track + 70;
  const height = rows.length * rowHeight + 8;
  const bars = rows.map((r, i) => {
    const y = i * rowHeight + 6;
    const share = r.due > 0 ? Math.min(1, r.held / r.due) : 0;
    return [
      `<text x="0" y="${y + 14}" font-size="13" fill="${INK}">${escapeXml(r.label)}</text>`,
      `<rect x="${labelWidth}" y="${y + 2}" width="${track}" height="16" rx="3" fill="${TODO}"/>`,
      share > 0 ? `<rect x="${labelWidth}" y="${y + 2}" width="${Math.round(track * share)}" height="16" rx="3" fill="${DONE}"/>` : '',
      `<text x="${labelWidth + track + 8}" y="${y + 14}" font-size="13" fill="${INK}">${r.held}/${r.due}</text>`,
    ].join('');
  });
  return `<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-label="${escapeXml(title)}" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}"><title>${escapeXml(title)}</title>${bars.join('')}</svg>`;
}

/**
 * A grid of counts: one row per label, one column per week, a cell darker the more it holds (0
 * is blank), the count written in the cell.
 */
export function countGrid(rows: { label: string; counts: number[] }[], columns: string[], title: string): string {
  const cell = 34;
  const labelWidth = 64;
  const top = 22;
  const width = labelWidth + columns.length * cell;
  const height = top + rows.length * cell;
  const max = Math.max(1, ...rows.flatMap((r) => r.counts));
  const heads = columns.map(
    (c, j) =>
      `<text x="${labelWidth + j * cell + cell / 2}" y="14" font-size="11" text-anchor="middle" fill="${INK}">${escapeXml(c)}</text>`,
  );
  const cells = rows.flatMap((r, i) => [
    `<text x="0" y="${top + i * cell + cell / 2 + 5}" font-size="13" fill="${INK}">${escapeXml(r.label)}</text>`,
    ...r.counts.map((n, j) => {
      const x = labelWidth + j * cell;
      const y = top + i * cell;
      const fill = n === 0 ? '#f5f5f5' : `rgba(183,28,28,${(0.2 + 0.8 * (n / max)).toFixed(2)})`;
      const text =
        n === 0
          ? ''
          : `<text x="${x + cell / 2}" y="${y + cell / 2 + 4}" font-size="12" text-anchor="middle" fill="${n / max > 0.5 ? '#fff' : INK}">${n}</text>`;
      return `<rect x="${x + 2}" y="${y + 2}" width="${cell - 4}" height="${cell - 4}" rx="3" fill="${fill}"><title>${escapeXml(`${r.label} ${columns[j]}：${n}`)}</title></rect>${text}`;
    }),
  ]);
  return `<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-label="${escapeXml(title)}" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}"><title>${escapeXml(title)}</title>${heads.join('')}${cells.join('')}</svg>`;
}

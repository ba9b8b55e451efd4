import { html, raw } from 'hono/html';
import type { DigestTable, ServiceCategory, ServiceReport } from '../../../../db/schema.ts';
import { localDate, localDateTime, parseIsoDate } from '../../../domain/calendar.ts';
import { digestMarkdown } from '../../../render/digest.ts';
import { computeDigest } from '../../../domain/digest/figures.ts';
import type { DigestBranchFacts, DigestFigures, DigestWindow } from '../../../domain/digest/types.ts';
import { fileDateTime, periodRange } from '../../../domain/time.ts';
import { CATEGORY_LABELS, type FiveTag, TAG_LABELS, fiveTagsOf } from '../../../domain/vocabulary.ts';
import { type BranchFrame, type Html, branchPage } from '../layout.ts';
import { markdownHtml } from '../markdown.ts';
import { DAY_MS } from '../../../core/duration.ts';

// The branch's 四服务 reports with filters (category, 五同 tag, member, dates), and its 五同 digest:
// this week's so far and the ones pushed before, as the secretary got them (markdown.ts renders it).

/** What the filters ask: a range of days (this quarter to today unless given) and, each optional, a category, a tag, a member. */
export interface ReportFilter {
  from: number;
  /** The end of the last day asked, exclusive. */
  to: number;
  category?: ServiceCategory;
  tag?: FiveTag;
  member?: string;
}

/** The start of the day a date field names, in the zone; null when it names none. */
const dayStart = (text: string | undefined, tz: string): number | null => (text && parseIsoDate(text) ? localDateTime(text, tz) : null);

/** The filter a query asks for; what names nothing known (a category, a tag, a member not of `memberIds`) is left out. */
export function reportFilter(q: Record<string, string>, memberIds: ReadonlySet<string>, tz: string, now: number): ReportFilter {
  const category = Object.hasOwn(CATEGORY_LABELS, q.category ?? '') ? (q.category as ServiceCategory) : undefined;
  const tag = Object.hasOwn(TAG_LABELS, q.tag ?? '') ? (q.tag as FiveTag) : undefined;
  const member = q.member && memberIds.has(q.member) ? q.member : undefined;
  return {
    from: dayStart(q.from, tz) ?? periodRange('quarter', now, tz).from,
    to: (dayStart(q.to, tz) ?? localDateTime(localDate(now, tz), tz)) + DAY_MS,
    ...(category ? { category } : {}),
    ...(tag ? { tag } : {}),
    ...(member ? { member } : {}),
  };
}

interface Option {
  value: string;
  label: string;
  selected: boolean;
}

export interface ReportsModel {
  frame: BranchFrame;
  categories: Option[];
  tags: Option[];
  members: Option[];
  from: string;
  to: string;
  rows: { at: string; member: string; category: string; text: string; tags: string }[];
}

/** The reports of the range that pass the filter, newest first, with the filter's form filled in. */
export function reportsModel(input: {
  frame: BranchFrame;
  tz: string;
  filter: ReportFilter;
  members: { id: string; name: string }[];
  reports: ServiceReport[];
}): ReportsModel {
  const { filter: f, tz } = input;
  const names = new Map(input.members.map((m) => [m.id, m.name]));
  const all = { value: '', label: '全部' };
  const reports = input.reports
    .filter(
      (r) =>
        (!f.category || r.category === f.category) &&
        (!f.member || r.member_id === f.member) &&
        (!f.tag || fiveTagsOf(r.tags).includes(f.tag)),
    )
    .reverse();
  return {
    frame: input.frame,
    categories: [
      { ...all, selected: !f.category },
      ...(Object.keys(CATEGORY_LABELS) as ServiceCategory[]).map((k) => ({
        value: k,
        label: CATEGORY_LABELS[k],
        selected: k === f.category,
      })),
    ],
    tags: [
      { ...all, selected: !f.tag },
      ...(Object.keys(TAG_LABELS) as FiveTag[]).map((k) => ({ value: k, label: TAG_LABELS[k], selected: k === f.tag })),
    ],
    members: [{ ...all, selected: !f.member }, ...input.members.map((m) => ({ value: m.id, label: m.name, selected: m.id === f.member }))],
    from: localDate(f.from, tz),
    to: localDate(f.to - DAY_MS, tz),
    rows: reports.map((r) => ({
      at: fileDateTime(r.at, tz),
      member: names.get(r.member_id) ?? r.member_id,
      category: CATEGORY_LABELS[r.category],
      text: r.text,
      tags: fiveTagsOf(r.tags)
        .map((t) => TAG_LABELS[t])
        .join('、'),
    })),
  };
}

const options = (list: Option[]) => list.map((o) => html`<option value="${o.value}" ${o.selected ? 'selected' : ''}>${o.label}</option>`);

export function reportsView(m: ReportsModel): Html {
  return branchPage(
    m.frame,
    '四服务汇报',
    html`<form class="card filters" method="get">
        <div>
          <label for="category">类别</label>
          <select id="category" name="category">
            ${options(m.categories)}
          </select>
        </div>
        <div>
          <label for="tag">五同</label>
          <select id="tag" name="tag">
            ${options(m.tags)}
          </select>
        </div>
        <div>
          <label for="member">党员</label>
          <select id="member" name="member">
            ${options(m.members)}
          </select>
        </div>
        <div><label for="from">从</label><input id="from" name="from" type="date" value="${m.from}" /></div>
        <div><label for="to">到</label><input id="to" name="to" type="date" value="${m.to}" /></div>
        <div><button class="primary" type="submit">筛选</button></div>
      </form>
      <div class="card">
        <p class="muted">共 ${m.rows.length} 条。</p>
        ${
          m.rows.length
            ? html`<div class="table-wrap"><table>
                <tr><th>时间</th><th>党员</th><th>类别</th><th>内容</th><th>五同</th></tr>
                ${m.rows.map(
                  (r) => html`<tr>
                    <td>${r.at}</td>
                    <td>${r.member}</td>
                    <td>${r.category}</td>
                    <td class="text">${r.text}</td>
                    <td>${r.tags}</td>
                  </tr>`,
                )}
              </table></div>`
            : ''
        }
      </div>`,
  );
}

export interface DigestModel {
  frame: BranchFrame;
  /** This week's digest so far as HTML (markdown.ts keeps it safe); null when there is none. */
  preview: string | null;
  past: { heading: string; html: string }[];
}

/** This week's digest so far and the ones stored before, rendered as the secretary got them (privately). */
export function digestModel(input: {
  frame: BranchFrame;
  tz: string;
  now: number;
  checkinCloses: number;
  /** This week's facts so far, when the branch has any. */
  week: { facts: DigestBranchFacts; window: DigestWindow } | null;
  past: DigestTable[];
}): DigestModel {
  const opts = { audience: 'private' as const, tz: input.tz, now: input.now };
  const { week } = input;
  return {
    frame: input.frame,
    preview: week ? markdownHtml(digestMarkdown(computeDigest(week.facts, week.window, input.checkinCloses), opts)) : null,
    past: input.past.map((d) => ({
      heading: d.sent_at ? `${fileDateTime(d.sent_at, input.tz)} 已发送` : '未发送',
      html: markdownHtml(digestMarkdown(JSON.parse(d.content) as DigestFigures, opts)),
    })),
  };
}

export function digestView(m: DigestModel): Html {
  return branchPage(
    m.frame,
    '五同周报',
    html`<section class="card">
        <h2>本周到目前为止（预览，不发送）</h2>
        ${m.preview ? html`<div class="digest">${raw(m.preview)}</div>` : html`<p class="muted">暂无。</p>`}
      </section>
      ${m.past.map(
        (d) => html`<section class="card">
          <h2>${d.heading}</h2>
          <div class="digest">${raw(d.html)}</div>
        </section>`,
      )}`,
  );
}

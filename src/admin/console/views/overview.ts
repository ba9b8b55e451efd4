import { html, raw } from 'hono/html';
import type { MeetingWithEvidence } from '../../../../db/meetings.ts';
import { countGrid, progressBars } from '../../../render/charts.ts';
import { computeDigest } from '../../../domain/digest/figures.ts';
import type { DigestBranchFacts, DigestWindow } from '../../../domain/digest/types.ts';
import { digestWindow } from '../../../domain/digest/window.ts';
import { isoWeek } from '../../../domain/iso-week.ts';
import { OVERVIEW_HEADER } from '../../../domain/ledger.ts';
import { TYPE_STATUS_LABELS, heldOfDue, meetingState, stateText } from '../../../domain/meetings.ts';
import { formatLocal } from '../../../domain/time.ts';
import { MEETING_LABELS, TAG_LABELS } from '../../../domain/vocabulary.ts';
import { type BranchFrame, type Html, type OrgFrame, type PageViewer, page } from '../layout.ts';
import { DAY_MS } from '../../../core/duration.ts';

// The console's first pages: the orgs (for IT), an org's branches (the overview of the ledger,
// sorted by name, nothing ranked), and a branch's quarter at a glance with two small charts.

const WEEKS_SHOWN = 8;

export interface OrgsModel {
  viewer: PageViewer;
  orgs: { name: string; href: string; timezone: string }[];
}

export function orgsView(m: OrgsModel): Html {
  return page({
    title: '单位',
    viewer: m.viewer,
    body: html`<h1>单位</h1>
      <div class="card">
        <div class="table-wrap"><table>
          <tr><th>单位</th><th>时区</th></tr>
          ${m.orgs.map((o) => html`<tr><td><a href="${o.href}">${o.name}</a></td><td>${o.timezone}</td></tr>`)}
        </table></div>
      </div>`,
  });
}

export interface OrgOverviewModel {
  frame: OrgFrame;
  quarterLabel: string;
  /** Each branch's row of the ledger's overview: its name (linked to its page) and its counts. */
  rows: { name: string | number; href: string; cells: (string | number)[] }[];
}

export function orgOverviewView(m: OrgOverviewModel): Html {
  return page({
    title: m.frame.orgName,
    viewer: m.frame.viewer,
    tabs: m.frame.tabs,
    body: html`<div class="crumbs">${m.quarterLabel}</div>
      <h1>${m.frame.orgName}：各支部三会一课</h1>
      <div class="card">
        <p class="muted">按支部名称排列，不作排名。「—」表示该支部无需召开此类会议（如未设党小组）。</p>
        <div class="table-wrap"><table>
          <tr>
            ${OVERVIEW_HEADER.map((h, i) => html`<th class="${i === 0 ? '' : 'num'}">${h.replace('（已开/应开）', '')}</th>`)}
          </tr>
          ${m.rows.map(
            (r) => html`<tr>
            <td><a href="${r.href}">${r.name}</a></td>
            ${r.cells.map((v) => html`<td class="num">${v}</td>`)}
          </tr>`,
          )}
        </table></div>
      </div>`,
  });
}

/** The weeks the branch's page charts, oldest first, each with the window its digest facts are read in. */
export function chartedWeeks(now: number, tz: string): { week: string; window: DigestWindow }[] {
  return Array.from({ length: WEEKS_SHOWN }, (_, i) => {
    const week = isoWeek(now - (WEEKS_SHOWN - 1 - i) * 7 * DAY_MS, tz);
    return { week, window: digestWindow(week, tz, now)! };
  });
}

interface MeetingRow {
  code: string;
  type: string;
  topic: string;
  time: string;
  state: string;
}

export interface BranchOverviewModel {
  frame: BranchFrame;
  quarterLabel: string;
  /** The progress bars and the grid of 五同 coverage, as SVG drawn by src/render/charts.ts. */
  barsSvg: string;
  gridSvg: string;
  quarter: { type: string; heldOfDue: string; status: string; statusLabel: string; next: string }[];
  upcoming: MeetingRow[];
  recent: MeetingRow[];
}

export function branchOverviewModel(input: {
  frame: BranchFrame;
  tz: string;
  now: number;
  checkinCloses: number;
  quarterLabel: string;
  /** The charted weeks (chartedWeeks), each with the branch's facts when it has any. */
  weeks: { week: string; window: DigestWindow; facts: DigestBranchFacts | undefined }[];
  upcoming: MeetingWithEvidence[];
  recent: MeetingWithEvidence[];
}): BranchOverviewModel {
  const { tz, now, checkinCloses, quarterLabel } = input;
  const figures = input.weeks.flatMap((w) => (w.facts ? [computeDigest(w.facts, w.window, checkinCloses)] : []));
  const quarterRows = figures.at(-1)?.quarter ?? [];
  const barsSvg = progressBars(
    quarterRows.map((q) => ({ label: MEETING_LABELS[q.type], held: q.held, due: q.due })),
    `${quarterLabel}三会一课完成情况`,
  );
  const gridSvg = countGrid(
    (Object.keys(TAG_LABELS) as (keyof typeof TAG_LABELS)[]).map((tag) => ({
      label: TAG_LABELS[tag],
      counts: figures.map((f) => f.coverage.find((cv) => cv.tag === tag)?.thisWeek ?? 0),
    })),
    input.weeks.map((w) => `${Number(w.week.slice(-2))}周`),
    '近八周五同覆盖',
  );
  const meetingRow = (m: MeetingWithEvidence): MeetingRow => ({
    code: m.code,
    type: MEETING_LABELS[m.type],
    topic: m.topic ?? '',
    time: formatLocal(m.starts_at, tz, now),
    state: stateText(m, meetingState(m, now, checkinCloses)),
  });
  return {
    frame: input.frame,
    quarterLabel,
    barsSvg,
    gridSvg,
    quarter: quarterRows.map((q) => ({
      type: `${MEETING_LABELS[q.type]}${q.range === 'year' ? '（全年）' : ''}`,
      heldOfDue: heldOfDue(q),
      status: q.status,
      statusLabel: TYPE_STATUS_LABELS[q.status],
      next: q.next ? `${formatLocal(q.next.startsAt, tz, now)}（${q.next.code}）` : '未安排',
    })),
    upcoming: input.upcoming.map(meetingRow),
    recent: input.recent.map(meetingRow),
  };
}

const meetingTable = (list: MeetingRow[], empty: string): Html =>
  list.length
    ? html`<div class="table-wrap"><table>
        <tr><th>编号</th><th>类型</th><th>议题</th><th>时间</th><th>状态</th></tr>
        ${list.map(
          (m) =>
            html`<tr>
        <td>${m.code}</td>
        <td>${m.type}</td>
        <td class="text">${m.topic}</td>
        <td>${m.time}</td>
        <td>${m.state}</td>
      </tr>`,
        )}
      </table></div>`
    : html`<p class="muted">${empty}</p>`;

export function branchOverviewView(m: BranchOverviewModel): Html {
  return page({
    title: m.frame.branchName,
    viewer: m.frame.viewer,
    tabs: m.frame.tabs,
    body: html`<div class="crumbs">${m.frame.orgName}</div>
      <h1>${m.frame.branchName} · ${m.quarterLabel}</h1>
      <div class="grid">
        <section class="card">
          <h2>三会一课完成情况</h2>
          ${raw(m.barsSvg)}
          <div class="table-wrap"><table>
            <tr><th>会议</th><th class="num">已开/应开</th><th>状态</th><th>下次</th></tr>
            ${m.quarter.map(
              (q) => html`<tr>
                <td>${q.type}</td>
                <td class="num">${q.heldOfDue}</td>
                <td><span class="tag ${q.status}">${q.statusLabel}</span></td>
                <td>${q.next}</td>
              </tr>`,
            )}
          </table></div>
        </section>
        <section class="card">
          <h2>近八周五同覆盖</h2>
          ${raw(m.gridSvg)}
          <p class="muted">每格为该周带有此标签的已召开会议和四服务汇报条数。</p>
        </section>
      </div>
      <section class="card">
        <h2>即将召开</h2>
        ${meetingTable(m.upcoming, '近期没有安排会议。')}
      </section>
      <section class="card">
        <h2>本季度至今的会议</h2>
        ${meetingTable(m.recent, '本季度还没有会议。')}
      </section>`,
  });
}

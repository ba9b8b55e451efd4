import { Hono } from 'hono';
import { html, raw } from 'hono/html';
import { loadDigestFacts } from '../../../db/digest-facts.ts';
import { listBranchMeetings } from '../../../db/meetings.ts';
import { getOrg, listOrgsPage } from '../../../db/orgs.ts';
import { overviewPages } from '../../chat/files.ts';
import { CONSOLE_PATH } from '../../chat/context.ts';
import { countGrid, progressBars } from '../../domain/charts.ts';
import { computeDigest } from '../../domain/digest/figures.ts';
import type { DigestFigures } from '../../domain/digest/types.ts';
import { digestWindow } from '../../domain/digest/window.ts';
import { isoWeek } from '../../domain/iso-week.ts';
import { OVERVIEW_HEADER } from '../../domain/ledger.ts';
import { TYPE_STATUS_LABELS, heldOfDue, meetingState, stateText } from '../../domain/meetings.ts';
import { formatLocal, periodRange, quarterKey, quarterOfKey } from '../../domain/time.ts';
import { MEETING_LABELS, TAG_LABELS } from '../../domain/vocabulary.ts';
import type { ServiceDeps } from '../deps.ts';
import { type Html, page } from './layout.ts';
import { branchOfPath, branchPath, branchTabs, notFound, orgPath, orgTabs, seesOrg } from './nav.ts';
import type { ConsoleEnv } from './session.ts';

// The console's first pages: where a viewer lands, the org's branches (the overview of the ledger,
// sorted by name, nothing ranked), and a branch's quarter at a glance with two small charts.

type Deps = Pick<ServiceDeps, 'db' | 'clock' | 'config'>;

const DAY = 86_400_000;
const WEEKS_SHOWN = 8;

export function overviewRoutes(deps: Deps): Hono<ConsoleEnv> {
  const { db, clock } = deps;
  const app = new Hono<ConsoleEnv>();

  app.get('/', (c) => {
    const scope = c.get('viewer').scope;
    if (scope.kind === 'all') return c.redirect(`${CONSOLE_PATH}/orgs`, 303);
    if (scope.kind === 'org') return c.redirect(orgPath(scope.orgId), 303);
    return c.redirect(branchPath(scope.orgId, scope.branchId), 303);
  });

  app.get('/orgs', async (c) => {
    const viewer = c.get('viewer');
    if (viewer.scope.kind !== 'all') return notFound(c);
    const orgs = await listOrgsPage(db, '', 500);
    return c.html(
      page({
        title: '单位',
        viewer,
        body: html`<h1>单位</h1>
          <div class="card">
            <div class="table-wrap"><table>
              <tr><th>单位</th><th>时区</th></tr>
              ${orgs.map((o) => html`<tr><td><a href="${orgPath(o.id)}">${o.name}</a></td><td>${o.timezone}</td></tr>`)}
            </table></div>
          </div>`,
      }),
    );
  });

  app.get('/orgs/:org', async (c) => {
    const viewer = c.get('viewer');
    const orgId = c.req.param('org');
    const org = seesOrg(viewer, orgId) ? await getOrg(db, orgId) : undefined;
    if (!org) return notFound(c);
    const now = clock.now();
    const quarter = quarterOfKey(quarterKey(now, org.timezone), org.timezone)!;
    const rows: { branch: { id: string }; row: (string | number)[] }[] = [];
    for await (const rowsOfPage of overviewPages(db, org, quarter, now)) rows.push(...rowsOfPage);
    return c.html(
      page({
        title: org.name,
        viewer,
        tabs: await orgTabs(viewer, org, 'branches', deps),
        body: html`<div class="crumbs">${quarter.label}</div>
          <h1>${org.name}：各支部三会一课</h1>
          <div class="card">
            <p class="muted">按支部名称排列，不作排名。「—」表示该支部无需召开此类会议（如未设党小组）。</p>
            <div class="table-wrap"><table>
              <tr>
                ${OVERVIEW_HEADER.map((h, i) => html`<th class="${i === 0 ? '' : 'num'}">${h.replace('（已开/应开）', '')}</th>`)}
              </tr>
              ${rows.map(
                ({ branch, row: [name, ...cells] }) => html`<tr>
                <td><a href="${branchPath(org.id, branch.id)}">${name}</a></td>
                ${cells.map((v) => html`<td class="num">${v}</td>`)}
              </tr>`,
              )}
            </table></div>
          </div>`,
      }),
    );
  });

  app.get('/orgs/:org/branches/:branch', async (c) => {
    const found = await branchOfPath(c, deps);
    if (!found) return notFound(c);
    const { org, branch } = found;
    const viewer = c.get('viewer');
    const tz = org.timezone;
    const now = clock.now();
    const weeks = Array.from({ length: WEEKS_SHOWN }, (_, i) => isoWeek(now - (WEEKS_SHOWN - 1 - i) * 7 * DAY, tz));
    const figures: DigestFigures[] = [];
    for (const week of weeks) {
      const window = digestWindow(week, tz, now)!;
      const [facts] = await loadDigestFacts(db, org.id, window, branch.id);
      if (facts) figures.push(computeDigest(facts, window, deps.config.CHECKIN_CLOSES));
    }
    const current = figures.at(-1);
    const quarterLabel = quarterOfKey(quarterKey(now, tz), tz)!.label;
    const upcoming = (await listBranchMeetings(db, org.id, branch.id, now - 30 * DAY, now + 90 * DAY)).filter((m) => m.starts_at >= now);
    const recent = (await listBranchMeetings(db, org.id, branch.id, periodRange('quarter', now, tz).from, now)).reverse();

    const quarterRows = current?.quarter ?? [];
    const bars = progressBars(
      quarterRows.map((q) => ({ label: MEETING_LABELS[q.type], held: q.held, due: q.due })),
      `${quarterLabel}三会一课完成情况`,
    );
    const grid = countGrid(
      (Object.keys(TAG_LABELS) as (keyof typeof TAG_LABELS)[]).map((tag) => ({
        label: TAG_LABELS[tag],
        counts: figures.map((f) => f.coverage.find((cv) => cv.tag === tag)?.thisWeek ?? 0),
      })),
      weeks.map((w) => `${Number(w.slice(-2))}周`),
      '近八周五同覆盖',
    );
    const meetingRow = (m: (typeof upcoming)[number]) =>
      html`<tr>
        <td>${m.code}</td>
        <td>${MEETING_LABELS[m.type]}</td>
        <td class="text">${m.topic ?? ''}</td>
        <td>${formatLocal(m.starts_at, tz, now)}</td>
        <td>${stateText(m, meetingState(m, now, deps.config.CHECKIN_CLOSES))}</td>
      </tr>`;
    const meetingTable = (list: typeof upcoming, empty: string): Html =>
      list.length
        ? html`<div class="table-wrap"><table>
            <tr><th>编号</th><th>类型</th><th>议题</th><th>时间</th><th>状态</th></tr>
            ${list.map(meetingRow)}
          </table></div>`
        : html`<p class="muted">${empty}</p>`;

    return c.html(
      page({
        title: branch.name,
        viewer,
        tabs: branchTabs(viewer, org, branch, 'overview'),
        body: html`<div class="crumbs">${org.name}</div>
          <h1>${branch.name} · ${quarterLabel}</h1>
          <div class="grid">
            <section class="card">
              <h2>三会一课完成情况</h2>
              ${raw(bars)}
              <div class="table-wrap"><table>
                <tr><th>会议</th><th class="num">已开/应开</th><th>状态</th><th>下次</th></tr>
                ${quarterRows.map(
                  (q) => html`<tr>
                    <td>${MEETING_LABELS[q.type]}${q.range === 'year' ? '（全年）' : ''}</td>
                    <td class="num">${heldOfDue(q)}</td>
                    <td><span class="tag ${q.status}">${TYPE_STATUS_LABELS[q.status]}</span></td>
                    <td>${q.next ? `${formatLocal(q.next.startsAt, tz, now)}（${q.next.code}）` : '未安排'}</td>
                  </tr>`,
                )}
              </table></div>
            </section>
            <section class="card">
              <h2>近八周五同覆盖</h2>
              ${raw(grid)}
              <p class="muted">每格为该周带有此标签的已召开会议和四服务汇报条数。</p>
            </section>
          </div>
          <section class="card">
            <h2>即将召开</h2>
            ${meetingTable(upcoming, '近期没有安排会议。')}
          </section>
          <section class="card">
            <h2>本季度至今的会议</h2>
            ${meetingTable(recent, '本季度还没有会议。')}
          </section>`,
      }),
    );
  });

  return app;
}

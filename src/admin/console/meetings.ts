import { type Context, Hono } from 'hono';
import { html } from 'hono/html';
import { getMeetingByCode, listBranchMeetings } from '../../../db/meetings.ts';
import { ledgerFile, loadMeetingRecord, recordFile } from '../../chat/files.ts';
import { meetingState, stateText } from '../../domain/meetings.ts';
import { recordRows } from '../../domain/record-docx.ts';
import { formatLocal, periodRange, quarterKey, quarterOfKey } from '../../domain/time.ts';
import { MEETING_LABELS, asCode } from '../../domain/vocabulary.ts';
import type { ServiceDeps } from '../deps.ts';
import { audit } from '../acting.ts';
import { fileResponse } from '../http.ts';
import { page } from './layout.ts';
import { branchOfPath, branchPage, branchPath, branchTabs, notFound, onBranch } from './nav.ts';
import { type ConsoleEnv, actingOf } from './session.ts';

// A branch's meetings, each 会议记录 as a page that prints on A4 for the binder, and the 台账 files
// (the same as the admin API's and 导出's) behind the console session.

type Deps = Pick<ServiceDeps, 'db' | 'clock' | 'config'>;

const DAY = 86_400_000;

export function meetingPages(deps: Deps): Hono<ConsoleEnv> {
  const { db, clock } = deps;
  const checkinCloses = deps.config.CHECKIN_CLOSES;
  const app = new Hono<ConsoleEnv>();
  const base = '/orgs/:org/branches/:branch';

  /** The path's branch and its meeting of the path's code, when the viewer may see the branch. */
  async function meetingOfPath(c: Context<ConsoleEnv>) {
    const found = await branchOfPath(c, deps);
    const code = asCode(c.req.param('code') ?? '');
    const meeting = found && code ? await getMeetingByCode(db, found.org.id, found.branch.id, code) : undefined;
    return found && meeting ? { ...found, meeting } : null;
  }

  app.get(
    `${base}/meetings`,
    onBranch(deps, async (c, found) => {
      const { org, branch } = found;
      const now = clock.now();
      const tz = org.timezone;
      const meetings = (await listBranchMeetings(db, org.id, branch.id, now - 366 * DAY, now + 366 * DAY)).reverse();
      const path = branchPath(org.id, branch.id);
      return branchPage(
        c,
        found,
        'meetings',
        '会议',
        html`<div class="card">
            ${
              meetings.length
                ? html`<div class="table-wrap"><table>
                    <tr><th>编号</th><th>类型</th><th>议题</th><th>时间</th><th>地点</th><th>状态</th><th class="num">到会</th><th></th></tr>
                    ${meetings.map(
                      (m) => html`<tr>
                        <td>${m.code}</td>
                        <td>${MEETING_LABELS[m.type]}</td>
                        <td class="text">${m.topic ?? ''}</td>
                        <td>${formatLocal(m.starts_at, tz, now)}</td>
                        <td class="text">${m.location ?? ''}</td>
                        <td>${stateText(m, meetingState(m, now, checkinCloses))}</td>
                        <td class="num">${m.present}</td>
                        <td><a href="${path}/meetings/${m.code}">会议记录</a></td>
                      </tr>`,
                    )}
                  </table></div>`
                : html`<p class="muted">近一年没有会议。书记在群里发送「安排 支委会 明天下午3点」即可安排。</p>`
            }
          </div>`,
      );
    }),
  );

  app.get(`${base}/meetings/:code`, async (c) => {
    const found = await meetingOfPath(c);
    if (!found) return notFound(c);
    const { meeting } = found;
    const { org, branch } = found;
    const viewer = c.get('viewer');
    const record = await loadMeetingRecord(db, org, branch, meeting, { now: clock.now(), checkinCloses });
    const rows = recordRows(record, { branch: branch.name, startsAt: Number(meeting.starts_at), tz: org.timezone });
    const path = `${branchPath(org.id, branch.id)}/meetings/${meeting.code}`;
    return c.html(
      page({
        title: `${record.typeLabel}记录 ${record.code}`,
        viewer,
        tabs: branchTabs(viewer, org, branch, 'meetings'),
        scripts: ['console.js'],
        body: html`<div class="noprint crumbs">${branch.name} · 编号 ${record.code}</div>
          <div class="noprint actions">
            <button type="button" data-print>打印</button>
            <a class="button" href="${path}/record.docx">下载 Word</a>
          </div>
          <article class="card record">
            <h1 class="record-title">${record.typeLabel}记录</h1>
            <table class="record-table kv">
              ${rows.map(([label, lines]) => html`<tr><th>${label}</th><td>${lines.map((l) => html`<div>${l}</div>`)}</td></tr>`)}
            </table>
          </article>`,
      }),
    );
  });

  app.get(`${base}/meetings/:code/record.docx`, async (c) => {
    const found = await meetingOfPath(c);
    if (!found) return notFound(c);
    const { meeting } = found;
    const file = await recordFile(db, found.org, found.branch, meeting, { now: clock.now(), checkinCloses });
    await audit(db, actingOf(c, deps), {
      at: clock.now(),
      orgId: found.org.id,
      action: 'file.download',
      object: `meeting:${meeting.code}`,
      detail: { file: file.name },
    });
    return fileResponse(c, file, `${meeting.code}.docx`);
  });

  app.get(`${base}/ledger.xlsx`, async (c) => {
    const found = await branchOfPath(c, deps);
    const tz = found?.org.timezone ?? 'UTC';
    const quarter = quarterOfKey(c.req.query('quarter') || quarterKey(clock.now(), tz), tz);
    if (!found || !quarter) return notFound(c);
    const file = await ledgerFile(db, found.org, found.branch, quarter, { now: clock.now(), checkinCloses });
    await audit(db, actingOf(c, deps), {
      at: clock.now(),
      orgId: found.org.id,
      action: 'file.download',
      object: `branch:${found.branch.id}`,
      detail: { file: file.name },
    });
    return fileResponse(c, file, 'ledger.xlsx');
  });

  app.get(
    `${base}/exports`,
    onBranch(deps, async (c, found) => {
      const { org, branch } = found;
      const now = clock.now();
      const tz = org.timezone;
      const quarters = [
        now,
        periodRange('quarter', now, tz).from - 1,
        periodRange('quarter', periodRange('quarter', now, tz).from - 1, tz).from - 1,
      ].map((ms) => ({ key: quarterKey(ms, tz), label: quarterOfKey(quarterKey(ms, tz), tz)!.label }));
      const path = branchPath(org.id, branch.id);
      return branchPage(
        c,
        found,
        'exports',
        '导出',
        html`<div class="card">
            <h2>三会一课台账（Excel）</h2>
            <p class="muted">会议、出勤、请假与补学、四服务汇报、五同五张表，可直接交检查。</p>
            <ul class="downloads">
              ${quarters.map((q) => html`<li><a href="${path}/ledger.xlsx?quarter=${q.key}" download>${q.label}三会一课台账</a></li>`)}
            </ul>
          </div>
          <div class="card">
            <h2>会议记录（Word）</h2>
            <p class="muted">在「会议」中打开一次会议，可打印或下载它的会议记录。</p>
            <p><a href="${path}/meetings">查看会议</a></p>
          </div>`,
      );
    }),
  );

  return app;
}

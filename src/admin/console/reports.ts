import { Hono } from 'hono';
import { html, raw } from 'hono/html';
import { loadDigestInput } from '../../../db/digest-facts.ts';
import { listBranchDigests } from '../../../db/digests.ts';
import { listBranchRoster } from '../../../db/members.ts';
import { listReports } from '../../../db/reports.ts';
import type { ServiceCategory } from '../../../db/schema.ts';
import { computeDigest } from '../../domain/digest/figures.ts';
import { digestMarkdown } from '../../domain/digest/render.ts';
import type { DigestFigures } from '../../domain/digest/types.ts';
import { isoWeek } from '../../domain/iso-week.ts';
import { localDate, localDateTime, parseIsoDate } from '../../domain/calendar.ts';
import { fileDateTime, periodRange } from '../../domain/time.ts';
import { CATEGORY_LABELS, type FiveTag, TAG_LABELS, fiveTagsOf } from '../../domain/vocabulary.ts';
import type { ServiceDeps } from '../deps.ts';
import { markdownHtml } from './markdown.ts';
import { branchPage, onBranch } from './nav.ts';
import type { ConsoleEnv } from './session.ts';

// The branch's 四服务 reports with filters (category, 五同 tag, member, dates), and its 五同 digest:
// this week's so far and the ones pushed before, as the secretary got them (markdown.ts renders it).

type Deps = Pick<ServiceDeps, 'db' | 'clock' | 'config'>;

const DAY = 86_400_000;
const PAST_DIGESTS = 12;

/** The start of the day a date field names, in the zone; null when it names none. */
const dayStart = (text: string | undefined, tz: string): number | null => (text && parseIsoDate(text) ? localDateTime(text, tz) : null);

export function reportPages(deps: Deps): Hono<ConsoleEnv> {
  const { db, clock } = deps;
  const app = new Hono<ConsoleEnv>();
  const base = '/orgs/:org/branches/:branch';

  app.get(
    `${base}/reports`,
    onBranch(deps, async (c, found) => {
      const { org, branch } = found;
      const tz = org.timezone;
      const now = clock.now();
      const q = c.req.query();
      const from = dayStart(q.from, tz) ?? periodRange('quarter', now, tz).from;
      const to = (dayStart(q.to, tz) ?? localDateTime(localDate(now, tz), tz)) + DAY;
      const category = Object.hasOwn(CATEGORY_LABELS, q.category ?? '') ? (q.category as ServiceCategory) : undefined;
      const tag = Object.hasOwn(TAG_LABELS, q.tag ?? '') ? (q.tag as FiveTag) : undefined;
      const members = await listBranchRoster(db, org.id, branch.id);
      const names = new Map(members.map((m) => [m.id, m.name]));
      const member = q.member && names.has(q.member) ? q.member : undefined;
      const reports = (await listReports(db, org.id, { branchId: branch.id }, from, to))
        .filter(
          (r) =>
            (!category || r.category === category) && (!member || r.member_id === member) && (!tag || fiveTagsOf(r.tags).includes(tag)),
        )
        .reverse();
      const option = (value: string, label: string, selected: boolean) =>
        html`<option value="${value}" ${selected ? 'selected' : ''}>${label}</option>`;
      return branchPage(
        c,
        found,
        'reports',
        '四服务汇报',
        html`<form class="card filters" method="get">
            <div>
              <label for="category">类别</label>
              <select id="category" name="category">
                ${option('', '全部', !category)}
                ${(Object.keys(CATEGORY_LABELS) as ServiceCategory[]).map((k) => option(k, CATEGORY_LABELS[k], k === category))}
              </select>
            </div>
            <div>
              <label for="tag">五同</label>
              <select id="tag" name="tag">
                ${option('', '全部', !tag)}
                ${(Object.keys(TAG_LABELS) as FiveTag[]).map((k) => option(k, TAG_LABELS[k], k === tag))}
              </select>
            </div>
            <div>
              <label for="member">党员</label>
              <select id="member" name="member">
                ${option('', '全部', !member)}
                ${members.map((m) => option(m.id, m.name, m.id === member))}
              </select>
            </div>
            <div><label for="from">从</label><input id="from" name="from" type="date" value="${localDate(from, tz)}" /></div>
            <div><label for="to">到</label><input id="to" name="to" type="date" value="${localDate(to - DAY, tz)}" /></div>
            <div><button class="primary" type="submit">筛选</button></div>
          </form>
          <div class="card">
            <p class="muted">共 ${reports.length} 条。</p>
            ${
              reports.length
                ? html`<div class="table-wrap"><table>
                    <tr><th>时间</th><th>党员</th><th>类别</th><th>内容</th><th>五同</th></tr>
                    ${reports.map(
                      (r) => html`<tr>
                        <td>${fileDateTime(Number(r.at), tz)}</td>
                        <td>${names.get(r.member_id) ?? r.member_id}</td>
                        <td>${CATEGORY_LABELS[r.category]}</td>
                        <td class="text">${r.text}</td>
                        <td>${fiveTagsOf(r.tags)
                          .map((t) => TAG_LABELS[t])
                          .join('、')}</td>
                      </tr>`,
                    )}
                  </table></div>`
                : ''
            }
          </div>`,
      );
    }),
  );

  app.get(
    `${base}/digest`,
    onBranch(deps, async (c, found) => {
      const { org, branch } = found;
      const now = clock.now();
      const week = isoWeek(now, org.timezone);
      const input = await loadDigestInput(db, org.id, week, now, branch.id);
      const facts = input?.branches[0];
      const opts = { audience: 'private' as const, tz: org.timezone, now };
      const preview = input && facts ? digestMarkdown(computeDigest(facts, input.window, deps.config.CHECKIN_CLOSES), opts) : null;
      const past = await listBranchDigests(db, org.id, branch.id, PAST_DIGESTS);
      return branchPage(
        c,
        found,
        'digest',
        '五同周报',
        html`<section class="card">
            <h2>本周到目前为止（预览，不发送）</h2>
            ${preview ? html`<div class="digest">${raw(markdownHtml(preview))}</div>` : html`<p class="muted">暂无。</p>`}
          </section>
          ${past.map(
            (d) => html`<section class="card">
              <h2>${d.sent_at ? `${fileDateTime(Number(d.sent_at), org.timezone)} 已发送` : '未发送'}</h2>
              <div class="digest">${raw(markdownHtml(digestMarkdown(JSON.parse(d.content) as DigestFigures, opts)))}</div>
            </section>`,
          )}`,
      );
    }),
  );

  return app;
}

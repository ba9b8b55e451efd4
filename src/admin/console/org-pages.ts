import { type Context, Hono } from 'hono';
import { listOrgBranches, listOrgChats } from '../../../db/branches.ts';
import { listAudit } from '../../../db/audit.ts';
import { listCalendarOverrides } from '../../../db/calendar.ts';
import { getChannel, listOrgChannelChecks } from '../../../db/channels.ts';
import { listMembersOfBranches } from '../../../db/members.ts';
import { getOrg } from '../../../db/orgs.ts';
import type { OrgTable } from '../../../db/schema.ts';
import type { Target } from '../../domain/outbound.ts';
import { QuotaCounter } from '../../platforms/shared/quota.ts';
import { toLocal } from '../../domain/time.ts';
import { consoleFacts } from '../../platforms/index.ts';
import { Refused, auditRefused } from '../acting.ts';
import { auditFilter, auditJson, auditQuerySchema } from '../audit.ts';
import { putOverride } from '../calendar.ts';
import { sendTestMessage } from '../channel-test.ts';
import type { ServiceDeps } from '../deps.ts';
import { Problem, check } from '../http.ts';
import { decide } from '../../domain/policy.ts';
import { type TestRecipient, channelTestForm, overrideForm } from './forms/org.ts';
import type { Notice } from './layout.ts';
import { formExpired, notFound, orgFrame, orgPath } from './nav.ts';
import { refusalText } from './refusals.ts';
import { type ConsoleEnv, actingOf, checkedForm } from './session.ts';
import { auditModel, auditView, calendarModel, calendarView, channelsModel, channelsView } from './views/org.ts';

// What an org admin (and IT) looks after: each channel's set-up checklist with a test message sent
// through the real sender, the working-day calendar (which IT alone changes: every org shares it),
// and the trail of who did what. The queue dashboard's tab shows for those who may open it (routes.ts).
// Each route loads and asks the policy; views/org.ts builds and renders the page.

type Deps = Pick<ServiceDeps, 'db' | 'clock' | 'config' | 'redis' | 'logger'>;

export function orgPages(deps: Deps): Hono<ConsoleEnv> {
  const { db, clock } = deps;
  const app = new Hono<ConsoleEnv>();

  /** The path's org, when the viewer may `action` on it (its pages, unless said). */
  async function orgOf(c: Context<ConsoleEnv>, action: 'org.read' | 'calendar.read' | 'audit.read' = 'org.read'): Promise<OrgTable | null> {
    const orgId = c.req.param('org') ?? '';
    if (!decide(c.get('viewer').actor, action, { kind: 'org', orgId }).ok) return null;
    return (await getOrg(db, orgId)) ?? null;
  }

  async function channelsPage(c: Context<ConsoleEnv>, org: OrgTable, result: Notice | null) {
    const viewer = c.get('viewer');
    const [channels, chats, branches] = await Promise.all([
      listOrgChannelChecks(db, org.id),
      listOrgChats(db, org.id),
      listOrgBranches(db, org.id),
    ]);
    const members = await listMembersOfBranches(
      db,
      org.id,
      branches.map((b) => b.id),
    );
    const usage = await new QuotaCounter({ ...deps, prefix: deps.config.QUEUE_PREFIX }).usage(org.id, org.timezone);
    const model = channelsModel({
      frame: await orgFrame(viewer, org, 'channels', deps),
      org,
      base: deps.config.PUBLIC_URL ?? '',
      channels,
      facts: consoleFacts,
      chats,
      branches,
      members,
      usage,
      viewerIsMember: !!viewer.member,
      channelsPath: (id) => `${orgPath(org.id)}/channels/${encodeURIComponent(id)}/test`,
      result,
    });
    return c.html(channelsView(model));
  }

  app.get('/orgs/:org/channels', async (c) => {
    const org = await orgOf(c);
    return org ? channelsPage(c, org, null) : notFound(c);
  });

  /** Where the test form's recipient is reached: a chat bound through the channel, or the viewer if she is a member. */
  async function testTarget(c: Context<ConsoleEnv>, orgId: string, channelId: string, to: TestRecipient | null): Promise<Target | null> {
    const member = c.get('viewer').member;
    if (to?.kind === 'me') return member ? { kind: 'member', channelId, memberId: member.id } : null;
    if (to?.kind !== 'chat') return null;
    const chat = (await listOrgChats(db, orgId)).find((ch) => ch.channel_id === channelId && ch.chat_id === to.chatId);
    return chat ? { kind: 'chat', channelId, chatId: chat.chat_id } : null;
  }

  app.post('/orgs/:org/channels/:channel/test', async (c) => {
    const org = await orgOf(c);
    const channel = org && (await getChannel(db, c.req.param('channel')));
    if (!org || !channel || channel.orgId !== org.id) return notFound(c);
    const form = await checkedForm(c, deps);
    if (!form) return formExpired(c);
    const target = await testTarget(c, org.id, channel.id, channelTestForm(form));
    if (!target) return channelsPage(c, org, { kind: 'error', text: '请选择测试消息的接收者。' });
    const result = await sendTestMessage(deps, actingOf(c, deps), org, channel.id, target);
    return channelsPage(
      c,
      org,
      result.delivered
        ? { kind: 'ok', text: `测试消息已发出（渠道 ${channel.id}）。` }
        : { kind: 'error', text: `测试消息未发出（渠道 ${channel.id}）：${result.reason}` },
    );
  });

  async function calendarPage(c: Context<ConsoleEnv>, org: OrgTable, notice: Notice | null, status: 200 | 403 = 200) {
    const viewer = c.get('viewer');
    const thisYear = toLocal(clock.now(), org.timezone).year;
    const asked = Number(c.req.query('year'));
    const year = Number.isInteger(asked) && asked >= 2000 && asked <= 2100 ? asked : thisYear;
    const ahead = [thisYear, thisYear + 1, thisYear + 2];
    const [overrides, years] = await Promise.all([
      listCalendarOverrides(db, { year }),
      Promise.all(ahead.map(async (y) => ({ year: y, overrides: await listCalendarOverrides(db, { year: y }) }))),
    ]);
    const model = calendarModel({
      frame: await orgFrame(viewer, org, 'calendar', deps),
      path: `${orgPath(org.id)}/calendar`,
      notice,
      years,
      year,
      overrides,
      writes: decide(viewer.actor, 'calendar.write', { kind: 'deployment', onlyOrg: null }).ok,
    });
    return c.html(calendarView(model), status);
  }

  app.get('/orgs/:org/calendar', async (c) => {
    const org = await orgOf(c, 'calendar.read');
    return org ? calendarPage(c, org, null) : notFound(c);
  });

  app.post('/orgs/:org/calendar', async (c) => {
    const org = await orgOf(c, 'calendar.read');
    if (!org) return notFound(c);
    const form = await checkedForm(c, deps);
    if (!form) return formExpired(c);
    const override = overrideForm(form);
    if (!override) return calendarPage(c, org, { kind: 'error', text: '请填写日期并选择类型。' });
    const { date, kind, name } = override;
    const acting = actingOf(c, deps);
    try {
      await putOverride(db, acting, override, clock.now());
    } catch (err) {
      if (!(err instanceof Refused)) throw err;
      await auditRefused(db, acting, err, { at: clock.now(), orgId: null, object: `calendar:${date}` });
      return calendarPage(c, org, { kind: 'error', text: refusalText(err.action, err.why) }, 403);
    }
    return calendarPage(c, org, {
      kind: 'ok',
      text: `已添加：${date} ${kind === 'holiday' ? '放假' : '调休上班'}${name ? ` ${name}` : ''}`,
    });
  });

  const AUDIT_PAGE = 50;

  app.get('/orgs/:org/audit', async (c) => {
    const org = await orgOf(c, 'audit.read');
    const viewer = c.get('viewer');
    if (!org) return notFound(c);
    const asked = c.req.query();
    let badFilter = false;
    let rows: Awaited<ReturnType<typeof listAudit>> = [];
    try {
      const query = check(auditQuerySchema, { ...asked, limit: String(AUDIT_PAGE) });
      rows = await listAudit(db, org.id, auditFilter(query, org.timezone), query.after ?? '', AUDIT_PAGE + 1);
    } catch (err) {
      if (!(err instanceof Problem) || err.status !== 400) throw err;
      badFilter = true;
    }
    const items = rows.slice(0, AUDIT_PAGE).map((r) => auditJson(r, org.timezone));
    const model = auditModel({
      frame: await orgFrame(viewer, org, 'audit', deps),
      path: `${orgPath(org.id)}/audit`,
      tz: org.timezone,
      asked,
      badFilter,
      retentionDays: deps.config.AUDIT_RETENTION_DAYS,
      items,
      next: rows.length > AUDIT_PAGE ? items.at(-1)!.id : null,
    });
    return c.html(auditView(model));
  });

  return app;
}

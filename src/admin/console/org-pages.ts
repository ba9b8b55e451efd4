import { type Context, Hono } from 'hono';
import { html } from 'hono/html';
import { listOrgBranches, listOrgChats } from '../../../db/branches.ts';
import { listAudit } from '../../../db/audit.ts';
import { listCalendarOverrides } from '../../../db/calendar.ts';
import { getChannel, listOrgChannels } from '../../../db/channels.ts';
import { lastInboundAt } from '../../../db/inbound-events.ts';
import { listMembersOfBranches } from '../../../db/members.ts';
import { getOrg } from '../../../db/orgs.ts';
import type { OrgTable } from '../../../db/schema.ts';
import { AUDIT_LABELS, type AuditAction } from '../../domain/audit.ts';
import { WorkCalendar, chineseDaysCovers, parseIsoDate } from '../../domain/calendar.ts';
import { type Channel, DEFAULT_BOT_NAME } from '../../domain/channels.ts';
import type { Target } from '../../domain/outbound.ts';
import { QUOTA_LABELS } from '../../domain/quota.ts';
import { QuotaCounter } from '../../platforms/shared/quota.ts';
import { fileDateTime, toLocal } from '../../domain/time.ts';
import { PlatformClients, deliver } from '../../platforms/deliver.ts';
import { Refused, audit } from '../acting.ts';
import { auditFilter, auditJson, auditQuerySchema } from '../audit.ts';
import { putOverride } from '../calendar.ts';
import type { ServiceDeps } from '../deps.ts';
import { Problem, check } from '../http.ts';
import { decide } from '../../domain/policy.ts';
import { type Html, page } from './layout.ts';
import { formExpired, notFound, orgPath, orgTabs } from './nav.ts';
import { refusalText } from './refusals.ts';
import { type ConsoleEnv, actingOf, checkedForm } from './session.ts';

// What an org admin (and IT) looks after: each channel's set-up checklist with a test message sent
// through the real sender, the working-day calendar (which IT alone changes: every org shares it),
// and the trail of who did what. The queue dashboard's tab shows for those who may open it (routes.ts).

type Deps = Pick<ServiceDeps, 'db' | 'clock' | 'config' | 'redis' | 'logger'>;

/** The terminal demo's channel has no credentials, callback or test message: it is shown apart. */
type RealPlatform = Exclude<Channel['config']['platform'], 'demo'>;

const PLATFORM_LABELS: Record<RealPlatform, string> = {
  dingtalk: '钉钉企业内部应用机器人',
  'wecom-bot': '企业微信智能机器人',
  'wecom-app': '企业微信自建应用',
};

/** Credentials each platform needs, by field name: the checklist says which are stored, never their values. */
const FIELDS: Record<RealPlatform, [string, string][]> = {
  dingtalk: [
    ['appKey', 'AppKey'],
    ['appSecret', 'AppSecret'],
    ['robotCode', 'RobotCode'],
  ],
  'wecom-bot': [
    ['token', 'Token'],
    ['encodingAESKey', 'EncodingAESKey'],
  ],
  'wecom-app': [
    ['corpId', '企业 ID'],
    ['agentId', 'AgentId'],
    ['secret', 'Secret'],
    ['token', 'Token'],
    ['encodingAESKey', 'EncodingAESKey'],
  ],
};

const WEBHOOK_PATHS: Record<RealPlatform, string> = {
  dingtalk: 'dingtalk',
  'wecom-bot': 'wecom',
  'wecom-app': 'wecom',
};

const mark = (ok: boolean) => (ok ? html`<span class="tag done">已设置</span>` : html`<span class="tag overdue">未设置</span>`);

export function orgPages(deps: Deps): Hono<ConsoleEnv> {
  const { db, clock } = deps;
  const app = new Hono<ConsoleEnv>();

  /** The path's org, for an org admin of it or IT. */
  /** The path's org, when the viewer may `action` on it (its pages, unless said). */
  async function orgOf(c: Context<ConsoleEnv>, action: 'org.read' | 'calendar.read' | 'audit.read' = 'org.read'): Promise<OrgTable | null> {
    const orgId = c.req.param('org') ?? '';
    if (!decide(c.get('viewer').actor, action, { kind: 'org', orgId }).ok) return null;
    return (await getOrg(db, orgId)) ?? null;
  }

  async function channelsPage(c: Context<ConsoleEnv>, org: OrgTable, result: Html | null) {
    const viewer = c.get('viewer');
    const base = deps.config.PUBLIC_URL ?? '';
    const refs = await listOrgChannels(db, org.id);
    const chats = await listOrgChats(db, org.id);
    const branches = await listOrgBranches(db, org.id);
    const branchNames = new Map(branches.map((b) => [b.id, b.name]));
    const members = await listMembersOfBranches(
      db,
      org.id,
      branches.map((b) => b.id),
    );
    const cards: Html[] = [];
    for (const ref of refs) {
      const channel = (await getChannel(db, ref.id))!;
      const config = channel.config as Channel['config'] & Record<string, unknown>;
      const platform = config.platform;
      if (platform === 'demo') {
        cards.push(html`<section class="card">
          <h2>${channel.id} · 终端演示</h2>
          <p class="muted">提醒、通知和文件只显示在运行 <code>npm run chat -- --demo</code> 的终端里，不发往任何平台，也不计入调用额度。</p>
        </section>`);
        continue;
      }
      const last = await lastInboundAt(db, channel.id);
      const own = chats.filter((ch) => ch.channel_id === channel.id);
      const idField = platform === 'dingtalk' ? 'dingtalk_user_id' : 'wecom_user_id';
      const withIds = members.filter((m) => m.status !== 'left' && m[idField]).length;
      const active = members.filter((m) => m.status !== 'left').length;
      const needsRobot = platform === 'wecom-bot' ? own.filter((ch) => !ch.webhook).length : 0;
      const path = `${orgPath(org.id)}/channels/${encodeURIComponent(channel.id)}/test`;
      cards.push(html`<section class="card">
        <h2>${channel.id} · ${PLATFORM_LABELS[platform]}</h2>
        <table class="kv">
          <tr><th>回调地址（粘贴到平台后台）</th><td><code>${base}/webhooks/${WEBHOOK_PATHS[platform]}/${channel.id}</code></td></tr>
          ${FIELDS[platform].map(([key, label]) => html`<tr><th>${label}</th><td>${mark(typeof config[key] === 'string' && config[key] !== '')}</td></tr>`)}
          <tr><th>机器人名称</th><td>${typeof config.botName === 'string' ? config.botName : html`<span class="muted">未设置，提醒中写作「${DEFAULT_BOT_NAME}」</span>`}</td></tr>
          <tr><th>最近一次收到回调</th><td>${last === null ? html`<span class="tag overdue">从未收到</span>` : fileDateTime(last, org.timezone)}</td></tr>
          ${platform === 'wecom-app' ? '' : html`<tr><th>已绑定的群</th><td>${own.length} 个${needsRobot ? html`，<span class="tag overdue">${needsRobot} 个群未设群机器人，收不到提醒</span>` : ''}</td></tr>`}
          <tr><th>已登记${platform === 'dingtalk' ? '钉钉' : '企业微信'}账号的党员</th><td>${withIds} / ${active} 人</td></tr>
        </table>
        <form method="post" action="${path}" class="filters spaced">
          <input type="hidden" name="_csrf" value="${viewer.csrf}" />
          <div>
            <label for="to-${channel.id}">测试消息发给</label>
            <select id="to-${channel.id}" name="to">
              ${viewer.member && platform !== 'wecom-bot' ? html`<option value="me">我（私信）</option>` : ''}
              ${platform === 'wecom-app' ? '' : own.map((ch) => html`<option value="chat:${ch.chat_id}">${branchNames.get(ch.branch_id) ?? ch.branch_id} 的群</option>`)}
            </select>
          </div>
          <div><button class="plain" type="submit">发送测试消息</button></div>
        </form>
      </section>`);
    }
    const usage = await new QuotaCounter({ ...deps, prefix: deps.config.QUEUE_PREFIX }).usage(org.id, org.timezone);
    const quotaCard = usage.length
      ? html`<section class="card">
          <h2>本月平台调用（${usage[0]!.month}）</h2>
          <div class="table-wrap"><table>
            <tr><th>平台</th><th>类别</th><th class="num">已用</th><th class="num">每月额度</th></tr>
            ${usage.map(
              (u) => html`<tr>
                <td>${u.platform === 'dingtalk' ? '钉钉' : '企业微信'}</td>
                <td>${QUOTA_LABELS[u.kind]}</td>
                <td class="num">${u.budget !== null && u.used >= u.budget * 0.8 ? html`<span class="tag overdue">${u.used}</span>` : u.used}</td>
                <td class="num">${u.budget ?? '—'}</td>
              </tr>`,
            )}
          </table></div>
          <p class="muted">钉钉标准版每个单位每月 3000 次 Webhook 和 Stream 调用、5000 次接口调用；用到 80% 和 100% 时私信告知机关党委管理员，额度不足时提醒尽量合并发送。</p>
        </section>`
      : '';
    return c.html(
      page({
        title: `${org.name}渠道`,
        viewer,
        tabs: await orgTabs(viewer, org, 'channels', deps),
        body: html`<div class="crumbs">${org.name}</div>
          <h1>渠道设置检查</h1>
          ${result}
          ${quotaCard}
          ${cards.length ? cards : html`<div class="card"><p class="muted">还没有渠道：请用管理接口 PUT /admin/orgs/${org.id}/channels/:channel 添加。</p></div>`}`,
      }),
    );
  }

  app.get('/orgs/:org/channels', async (c) => {
    const org = await orgOf(c);
    return org ? channelsPage(c, org, null) : notFound(c);
  });

  app.post('/orgs/:org/channels/:channel/test', async (c) => {
    const org = await orgOf(c);
    const channel = org && (await getChannel(db, c.req.param('channel')));
    if (!org || !channel || channel.orgId !== org.id) return notFound(c);
    const form = await checkedForm(c, deps);
    if (!form) return formExpired(c);
    const viewer = c.get('viewer');
    const to = typeof form.to === 'string' ? form.to : '';
    const chatId = to.startsWith('chat:') ? to.slice(5) : null;
    const chat =
      chatId === null ? undefined : (await listOrgChats(db, org.id)).find((ch) => ch.channel_id === channel.id && ch.chat_id === chatId);
    let target: Target | null = null;
    if (chat) target = { kind: 'chat', channelId: channel.id, chatId: chat.chat_id };
    else if (to === 'me' && viewer.member) target = { kind: 'member', channelId: channel.id, memberId: viewer.member.id };
    if (!target) return channelsPage(c, org, html`<div class="error">请选择测试消息的接收者。</div>`);
    const message = {
      title: '同心测试消息',
      markdown: `这是一条测试消息：渠道 ${channel.id} 可以正常发送。（${fileDateTime(clock.now(), org.timezone)}）`,
    };
    const result = await deliver(deps, new PlatformClients(deps), target, message, `console-test-${clock.now()}`);
    const sentTo = target.kind === 'chat' ? `chat:${target.chatId}` : `member:${target.memberId}`;
    await db.transaction().execute((trx) =>
      audit(trx, actingOf(c, deps), {
        at: clock.now(),
        orgId: org.id,
        action: 'channels.test',
        object: `channel:${channel.id}`,
        detail: { to: sentTo, delivered: result.delivered },
      }),
    );
    return channelsPage(
      c,
      org,
      result.delivered
        ? html`<div class="ok">测试消息已发出（渠道 ${channel.id}）。</div>`
        : html`<div class="error">测试消息未发出（渠道 ${channel.id}）：${result.reason}</div>`,
    );
  });

  async function calendarPage(c: Context<ConsoleEnv>, org: OrgTable, notice: Html | null, status: 200 | 403 = 200) {
    const viewer = c.get('viewer');
    const thisYear = toLocal(clock.now(), org.timezone).year;
    const asked = Number(c.req.query('year'));
    const year = Number.isInteger(asked) && asked >= 2000 && asked <= 2100 ? asked : thisYear;
    const overrides = await listCalendarOverrides(db, { year });
    const years = [thisYear, thisYear + 1, thisYear + 2];
    const coverage = await Promise.all(
      years.map(async (y) => {
        const own = await listCalendarOverrides(db, { year: y });
        return { year: y, by: chineseDaysCovers(y) ? 'chinese-days 数据' : new WorkCalendar(own).isCovered(y) ? '手工维护' : null };
      }),
    );
    const path = `${orgPath(org.id)}/calendar`;
    const writes = decide(viewer.actor, 'calendar.write', { kind: 'deployment', onlyOrg: null }).ok;
    return c.html(
      page({
        title: '节假日',
        viewer,
        tabs: await orgTabs(viewer, org, 'calendar', deps),
        body: html`<div class="crumbs">${org.name}</div>
          <h1>节假日与调休</h1>
          ${notice}
          <div class="card">
            <p class="muted">会议提醒、周报和三会一课提醒按工作日安排。没有数据的年份按周一至周五计算；国务院公布次年安排后，请在这里补录。</p>
            <div class="table-wrap"><table>
              <tr><th>年份</th><th>数据</th></tr>
              ${coverage.map(
                (y) =>
                  html`<tr><td><a href="${path}?year=${y.year}">${y.year}年</a></td><td>${y.by ?? html`<span class="tag overdue">无数据，按周一至周五</span>`}</td></tr>`,
              )}
            </table></div>
          </div>
          <div class="card">
            <h2>${year}年手工录入</h2>
            ${
              overrides.length
                ? html`<div class="table-wrap"><table>
                    <tr><th>日期</th><th>类型</th><th>名称</th></tr>
                    ${overrides.map((o) => html`<tr><td>${o.date}</td><td>${o.kind === 'holiday' ? '放假' : '调休上班'}</td><td>${o.name ?? ''}</td></tr>`)}
                  </table></div>`
                : html`<p class="muted">没有。</p>`
            }
            ${
              writes
                ? html`<form method="post" action="${path}" class="filters spaced">
                    <input type="hidden" name="_csrf" value="${viewer.csrf}" />
                    <div><label for="date">日期</label><input id="date" name="date" type="date" required /></div>
                    <div>
                      <label for="kind">类型</label>
                      <select id="kind" name="kind"><option value="holiday">放假</option><option value="workday">调休上班</option></select>
                    </div>
                    <div><label for="name">名称</label><input id="name" name="name" type="text" placeholder="如：元旦" /></div>
                    <div><button class="primary" type="submit">添加</button></div>
                  </form>`
                : html`<p class="muted">节假日安排所有单位共用，由系统管理员统一维护；缺少年份时请联系系统管理员补录。</p>`
            }
          </div>`,
      }),
      status,
    );
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
    const date = typeof form.date === 'string' ? form.date : '';
    const kind = form.kind === 'workday' ? 'workday' : form.kind === 'holiday' ? 'holiday' : null;
    const name = typeof form.name === 'string' && form.name.trim() ? form.name.trim().slice(0, 50) : null;
    if (!parseIsoDate(date) || !kind) return calendarPage(c, org, html`<div class="error">请填写日期并选择类型。</div>`);
    const acting = actingOf(c, deps);
    try {
      await putOverride(db, acting, { date, kind, name }, clock.now());
    } catch (err) {
      if (!(err instanceof Refused)) throw err;
      await db
        .transaction()
        .execute((trx) =>
          audit(trx, acting, { at: clock.now(), orgId: null, action: err.action, object: `calendar:${date}`, result: 'refused' }),
        );
      return calendarPage(c, org, html`<div class="error">${refusalText(err.action, err.why)}</div>`, 403);
    }
    return calendarPage(
      c,
      org,
      html`<div class="ok">已添加：${date} ${kind === 'holiday' ? '放假' : '调休上班'}${name ? ` ${name}` : ''}</div>`,
    );
  });

  const AUDIT_PAGE = 50;

  app.get('/orgs/:org/audit', async (c) => {
    const org = await orgOf(c, 'audit.read');
    const viewer = c.get('viewer');
    if (!org) return notFound(c);
    const path = `${orgPath(org.id)}/audit`;
    const asked = c.req.query();
    let notice: Html | null = null;
    let rows: Awaited<ReturnType<typeof listAudit>> = [];
    try {
      const query = check(auditQuerySchema, { ...asked, limit: String(AUDIT_PAGE) });
      rows = await listAudit(db, org.id, auditFilter(query, org.timezone), query.after ?? '', AUDIT_PAGE + 1);
    } catch (err) {
      if (!(err instanceof Problem) || err.status !== 400) throw err;
      notice = html`<div class="error">筛选条件不正确：日期请写成 2026-12-01 这样。</div>`;
    }
    const items = rows.slice(0, AUDIT_PAGE).map((r) => auditJson(r, org.timezone));
    const next = rows.length > AUDIT_PAGE ? items.at(-1)!.id : null;
    const keep = (extra: Record<string, string>) =>
      `${path}?${new URLSearchParams({ ...Object.fromEntries(Object.entries(asked).filter(([k, v]) => k !== 'after' && v)), ...extra })}`;
    return c.html(
      page({
        title: '操作记录',
        viewer,
        tabs: await orgTabs(viewer, org, 'audit', deps),
        body: html`<div class="crumbs">${org.name}</div>
          <h1>操作记录</h1>
          ${notice}
          <form method="get" action="${path}" class="filters">
            <div><label for="actor">操作人编号</label><input id="actor" name="actor" type="text" value="${asked.actor ?? ''}" placeholder="党员编号，或 it" /></div>
            <div>
              <label for="action">操作</label>
              <select id="action" name="action">
                <option value="">全部</option>
                ${(Object.entries(AUDIT_LABELS) as [AuditAction, string][]).map(
                  ([key, label]) => html`<option value="${key}" ${asked.action === key ? 'selected' : ''}>${label}</option>`,
                )}
              </select>
            </div>
            <div><label for="from">从</label><input id="from" name="from" type="text" value="${asked.from ?? ''}" placeholder="2026-12-01" /></div>
            <div><label for="to">到</label><input id="to" name="to" type="text" value="${asked.to ?? ''}" placeholder="2026-12-31" /></div>
            <div><button class="plain" type="submit">筛选</button></div>
          </form>
          <div class="card">
            <p class="muted">记录只增不改，保存 ${deps.config.AUDIT_RETENTION_DAYS} 天。节假日修改和系统管理员登录对所有单位都记录在此。</p>
            ${
              items.length
                ? html`<div class="table-wrap"><table>
                    <tr><th>时间</th><th>操作人</th><th>操作</th><th>对象</th><th>结果</th><th>来源地址</th><th>详情</th></tr>
                    ${items.map(
                      (e) => html`<tr>
                        <td>${fileDateTime(Date.parse(e.at), org.timezone)}</td>
                        <td>${e.actor.name ?? ''}${e.actor.id ? html` <span class="muted">${e.actor.id}</span>` : ''}</td>
                        <td>${AUDIT_LABELS[e.action as AuditAction] ?? e.action}</td>
                        <td>${e.object ?? ''}</td>
                        <td>${e.result === 'ok' ? '完成' : html`<span class="tag overdue">拒绝</span>`}</td>
                        <td>${e.address ?? ''}</td>
                        <td><code>${e.detail === null ? '' : JSON.stringify(e.detail)}</code></td>
                      </tr>`,
                    )}
                  </table></div>`
                : html`<p class="muted">没有符合条件的记录。</p>`
            }
            ${next ? html`<p><a class="button" href="${keep({ after: next })}">下一页</a></p>` : ''}
          </div>`,
      }),
    );
  });

  return app;
}

import { html } from 'hono/html';
import type { BranchChatTable, CalendarOverrideTable, Member } from '../../../../db/schema.ts';
import { AUDIT_LABELS, type AuditAction } from '../../../domain/audit.ts';
import { WorkCalendar, chineseDaysCovers } from '../../../domain/calendar.ts';
import { type Channel, DEFAULT_BOT_NAME } from '../../../domain/channels.ts';
import { QUOTA_LABELS } from '../../../domain/quota.ts';
import { ACCOUNT_LABELS, accountOf } from '../../../domain/targets.ts';
import { fileDateTime } from '../../../domain/time.ts';
import type { ChatReach } from '../../../platforms/adapter.ts';
import type { ChannelFacts } from '../../../platforms/index.ts';
import type { QuotaUse } from '../../../platforms/shared/quota.ts';
import type { auditJson } from '../../audit.ts';
import { type Html, type Notice, type OrgFrame, notice, page } from '../layout.ts';

// What an org admin (and IT) looks after: each channel's set-up checklist, the working-day
// calendar, and the trail of who did what. Each page is a view model built from what its route
// loaded, and a view of it.

export type ChannelCard =
  /** A channel with nothing to set up (the terminal demo's): its name and what it does. */
  | { kind: 'apart'; id: string; label: string; help: string | null }
  | {
      kind: 'platform';
      id: string;
      platformLabel: string;
      help: string | null;
      /** Where its platform calls back; null when it takes no callbacks. */
      callbackUrl: string | null;
      /** Each credential the platform needs, and whether it is stored. */
      fields: { label: string; set: boolean }[];
      botName: string | null;
      /** When the latest kept callback arrived, as the org reads the time; null when none is. */
      lastInbound: string | null;
      /**
       * The bound groups, how many of them no push reaches for want of a group robot, and each with
       * how pushes reach it; null where none binds to it (a WeCom app).
       */
      chats: { count: number; withoutRobot: number; groups: { branch: string; chatId: string; reach: string; reached: boolean }[] } | null;
      /** Whether its reminders carry buttons; null where no setting decides it. */
      buttons: { set: boolean; how: string } | null;
      /** The kind of account its members are known by; null when none. */
      accountsLabel: string | null;
      withAccounts: number;
      active: number;
      testPath: string;
      /** Whom the test message may go to: `me` or `chat:<id>`. */
      recipients: { value: string; label: string }[];
    };

export interface ChannelsModel {
  frame: OrgFrame;
  orgId: string;
  result: Notice | null;
  quota: { month: string; rows: { platform: string; kind: string; used: number; budget: number | null; nearLimit: boolean }[] } | null;
  channels: ChannelCard[];
}

export interface ChannelsInput {
  frame: OrgFrame;
  org: { id: string; timezone: string };
  /** PUBLIC_URL, the base of each callback address. */
  base: string;
  channels: (Channel & { lastInboundAt: number | null })[];
  /** What the channel's platform says of it (src/platforms/index.ts `consoleFacts`). */
  facts: (channel: Channel) => ChannelFacts;
  chats: BranchChatTable[];
  branches: { id: string; name: string }[];
  members: Member[];
  usage: QuotaUse[];
  /** Whether the viewer is a member, who may get a test message privately (IT is none). */
  viewerIsMember: boolean;
  channelsPath: (channelId: string) => string;
  result: Notice | null;
}

/** How pushes reach a bound group, as the console says it. */
const REACH_LABELS: Record<ChatReach, string> = {
  socket: '长连接',
  app: '应用机器人',
  robot: '群机器人',
};
const UNREACHED = '无法推送（请为该群设置群机器人）';

/** The checklist of each channel: what is stored, what has arrived, who can be reached. */
export function channelsModel(input: ChannelsInput): ChannelsModel {
  const branchNames = new Map(input.branches.map((b) => [b.id, b.name]));
  const current = input.members.filter((m) => m.status !== 'left');
  const channels = input.channels.map((channel): ChannelCard => {
    const facts = input.facts(channel);
    const { checklist, ref } = facts;
    if (!checklist) return { kind: 'apart', id: channel.id, label: facts.label, help: facts.help };
    const config: Record<string, unknown> = channel.config;
    const own = input.chats.filter((ch) => ch.channel_id === channel.id);
    const account = facts.account;
    const groups = own.map((ch) => {
      const reach = facts.reach(ch);
      return {
        branch: branchNames.get(ch.branch_id) ?? ch.branch_id,
        chatId: ch.chat_id,
        reach: reach === null ? UNREACHED : REACH_LABELS[reach],
        reached: reach !== null,
      };
    });
    const recipients = [
      ...(input.viewerIsMember && ref.privateFormat !== null ? [{ value: 'me', label: '我（私信）' }] : []),
      ...(checklist.chats ? groups.map((g) => ({ value: `chat:${g.chatId}`, label: `${g.branch} 的群` })) : []),
    ];
    return {
      kind: 'platform',
      id: channel.id,
      platformLabel: facts.label,
      help: facts.help,
      callbackUrl: facts.callbackSegment === null ? null : `${input.base}/webhooks/${facts.callbackSegment}/${channel.id}`,
      fields: checklist.fields.map(([key, label]) => ({ label, set: typeof config[key] === 'string' && config[key] !== '' })),
      botName: channel.config.botName ?? null,
      lastInbound: channel.lastInboundAt === null ? null : fileDateTime(channel.lastInboundAt, input.org.timezone),
      chats: checklist.chats ? { count: own.length, withoutRobot: groups.filter((g) => !g.reached).length, groups } : null,
      buttons: facts.buttons,
      accountsLabel: account && ACCOUNT_LABELS[account],
      withAccounts: account ? current.filter((m) => accountOf(m, account)).length : 0,
      active: current.length,
      testPath: input.channelsPath(channel.id),
      recipients,
    };
  });
  const quota = input.usage.length
    ? {
        month: input.usage[0]!.month,
        rows: input.usage.map((u) => ({
          platform: ACCOUNT_LABELS[u.platform],
          kind: QUOTA_LABELS[u.kind],
          used: u.used,
          budget: u.budget,
          nearLimit: u.budget !== null && u.used >= u.budget * 0.8,
        })),
      }
    : null;
  return { frame: input.frame, orgId: input.org.id, result: input.result, quota, channels };
}

const mark = (ok: boolean) => (ok ? html`<span class="tag done">已设置</span>` : html`<span class="tag overdue">未设置</span>`);

/** A help text, what it writes between backquotes shown as code. */
const helpText = (help: string | null) =>
  help === null ? '' : html`<p class="muted">${help.split('`').map((part, i) => (i % 2 ? html`<code>${part}</code>` : part))}</p>`;

function channelCard(card: ChannelCard, csrf: string): Html {
  if (card.kind === 'apart')
    return html`<section class="card">
      <h2>${card.id} · ${card.label}</h2>
      ${helpText(card.help)}
    </section>`;
  return html`<section class="card">
    <h2>${card.id} · ${card.platformLabel}</h2>
    ${helpText(card.help)}
    <table class="kv">
      ${card.callbackUrl === null ? '' : html`<tr><th>回调地址（粘贴到平台后台）</th><td><code>${card.callbackUrl}</code></td></tr>`}
      ${card.fields.map((f) => html`<tr><th>${f.label}</th><td>${mark(f.set)}</td></tr>`)}
      <tr><th>机器人名称</th><td>${card.botName ?? html`<span class="muted">未设置，提醒中写作「${DEFAULT_BOT_NAME}」</span>`}</td></tr>
      <tr><th>最近一次收到回调</th><td>${card.lastInbound ?? html`<span class="tag overdue">从未收到</span>`}</td></tr>
      ${card.chats ? html`<tr><th>已绑定的群</th><td>${card.chats.count} 个${card.chats.withoutRobot ? html`，<span class="tag overdue">${card.chats.withoutRobot} 个群未设群机器人，收不到提醒</span>` : ''}</td></tr>` : ''}
      ${card.buttons ? html`<tr><th>按钮卡片</th><td>${card.buttons.set ? html`<span class="tag done">${card.buttons.how}</span>` : html`<span class="muted">${card.buttons.how}</span>`}</td></tr>` : ''}
      ${card.accountsLabel === null ? '' : html`<tr><th>已登记${card.accountsLabel}账号的党员</th><td>${card.withAccounts} / ${card.active} 人</td></tr>`}
    </table>
    ${
      card.chats?.groups.length
        ? html`<div class="table-wrap"><table>
            <tr><th>支部</th><th>群</th><th>推送方式</th></tr>
            ${card.chats.groups.map(
              (g) =>
                html`<tr><td>${g.branch}</td><td><code>${g.chatId}</code></td><td>${g.reached ? g.reach : html`<span class="tag overdue">${g.reach}</span>`}</td></tr>`,
            )}
          </table></div>`
        : ''
    }
    <form method="post" action="${card.testPath}" class="filters spaced">
      <input type="hidden" name="_csrf" value="${csrf}" />
      <div>
        <label for="to-${card.id}">测试消息发给</label>
        <select id="to-${card.id}" name="to">
          ${card.recipients.map((r) => html`<option value="${r.value}">${r.label}</option>`)}
        </select>
      </div>
      <div><button class="plain" type="submit">发送测试消息</button></div>
    </form>
  </section>`;
}

export function channelsView(m: ChannelsModel): Html {
  const quotaCard = m.quota
    ? html`<section class="card">
        <h2>本月平台调用（${m.quota.month}）</h2>
        <div class="table-wrap"><table>
          <tr><th>平台</th><th>类别</th><th class="num">已用</th><th class="num">每月额度</th></tr>
          ${m.quota.rows.map(
            (u) => html`<tr>
              <td>${u.platform}</td>
              <td>${u.kind}</td>
              <td class="num">${u.nearLimit ? html`<span class="tag overdue">${u.used}</span>` : u.used}</td>
              <td class="num">${u.budget ?? '—'}</td>
            </tr>`,
          )}
        </table></div>
        <p class="muted">钉钉标准版每个单位每月 3000 次 Webhook 和 Stream 调用、5000 次接口调用；用到 80% 和 100% 时私信告知机关党委管理员，额度不足时提醒尽量合并发送。</p>
      </section>`
    : '';
  return page({
    title: `${m.frame.orgName}渠道`,
    viewer: m.frame.viewer,
    tabs: m.frame.tabs,
    body: html`<div class="crumbs">${m.frame.orgName}</div>
      <h1>渠道设置检查</h1>
      ${notice(m.result)}
      ${quotaCard}
      ${
        m.channels.length
          ? m.channels.map((card) => channelCard(card, m.frame.viewer.csrf))
          : html`<div class="card"><p class="muted">还没有渠道：请用管理接口 PUT /admin/orgs/${m.orgId}/channels/:channel 添加。</p></div>`
      }`,
  });
}

export interface CalendarModel {
  frame: OrgFrame;
  path: string;
  notice: Notice | null;
  /** The years ahead, each with where its data comes from (null: none, Monday to Friday assumed). */
  coverage: { year: number; by: string | null }[];
  year: number;
  overrides: { date: string; kind: 'holiday' | 'workday'; name: string | null }[];
  /** Whether the viewer may add an override (IT only: every org shares the calendar). */
  writes: boolean;
}

/** Where each year's working days come from: chinese-days' data, overrides kept by hand, or neither. */
export function calendarModel(
  input: Omit<CalendarModel, 'coverage'> & { years: { year: number; overrides: CalendarOverrideTable[] }[] },
): CalendarModel {
  const { years, ...rest } = input;
  const coverage = years.map(({ year, overrides }) => ({
    year,
    by: chineseDaysCovers(year) ? 'chinese-days 数据' : new WorkCalendar(overrides).isCovered(year) ? '手工维护' : null,
  }));
  return { ...rest, coverage };
}

export function calendarView(m: CalendarModel): Html {
  return page({
    title: '节假日',
    viewer: m.frame.viewer,
    tabs: m.frame.tabs,
    body: html`<div class="crumbs">${m.frame.orgName}</div>
      <h1>节假日与调休</h1>
      ${notice(m.notice)}
      <div class="card">
        <p class="muted">会议提醒、周报和三会一课提醒按工作日安排。没有数据的年份按周一至周五计算；国务院公布次年安排后，请在这里补录。</p>
        <div class="table-wrap"><table>
          <tr><th>年份</th><th>数据</th></tr>
          ${m.coverage.map(
            (y) =>
              html`<tr><td><a href="${m.path}?year=${y.year}">${y.year}年</a></td><td>${y.by ?? html`<span class="tag overdue">无数据，按周一至周五</span>`}</td></tr>`,
          )}
        </table></div>
      </div>
      <div class="card">
        <h2>${m.year}年手工录入</h2>
        ${
          m.overrides.length
            ? html`<div class="table-wrap"><table>
                <tr><th>日期</th><th>类型</th><th>名称</th></tr>
                ${m.overrides.map((o) => html`<tr><td>${o.date}</td><td>${o.kind === 'holiday' ? '放假' : '调休上班'}</td><td>${o.name ?? ''}</td></tr>`)}
              </table></div>`
            : html`<p class="muted">没有。</p>`
        }
        ${
          m.writes
            ? html`<form method="post" action="${m.path}" class="filters spaced">
                <input type="hidden" name="_csrf" value="${m.frame.viewer.csrf}" />
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
  });
}

type AuditEntry = ReturnType<typeof auditJson>;

export interface AuditModel {
  frame: OrgFrame;
  path: string;
  /** The filters as asked, shown back in the form. */
  asked: { actor?: string; action?: string; from?: string; to?: string };
  badFilter: boolean;
  retentionDays: number;
  rows: {
    at: string;
    actorName: string;
    actorId: string | null;
    action: string;
    object: string;
    refused: boolean;
    address: string;
    detail: string;
  }[];
  nextHref: string | null;
}

/** The trail's page: its entries as the org reads them, and the link to the next page with the same filters. */
export function auditModel(input: {
  frame: OrgFrame;
  path: string;
  tz: string;
  asked: Record<string, string>;
  badFilter: boolean;
  retentionDays: number;
  items: AuditEntry[];
  next: string | null;
}): AuditModel {
  const { asked, path } = input;
  const keep = (extra: Record<string, string>) =>
    `${path}?${new URLSearchParams({ ...Object.fromEntries(Object.entries(asked).filter(([k, v]) => k !== 'after' && v)), ...extra })}`;
  return {
    frame: input.frame,
    path,
    asked,
    badFilter: input.badFilter,
    retentionDays: input.retentionDays,
    rows: input.items.map((e) => ({
      at: fileDateTime(Date.parse(e.at), input.tz),
      actorName: e.actor.name ?? '',
      actorId: e.actor.id,
      action: AUDIT_LABELS[e.action as AuditAction] ?? e.action,
      object: e.object ?? '',
      refused: e.result !== 'ok',
      address: e.address ?? '',
      detail: e.detail === null ? '' : JSON.stringify(e.detail),
    })),
    nextHref: input.next ? keep({ after: input.next }) : null,
  };
}

export function auditView(m: AuditModel): Html {
  const { asked, path } = m;
  return page({
    title: '操作记录',
    viewer: m.frame.viewer,
    tabs: m.frame.tabs,
    body: html`<div class="crumbs">${m.frame.orgName}</div>
      <h1>操作记录</h1>
      ${m.badFilter ? html`<div class="error">筛选条件不正确：日期请写成 2026-12-01 这样。</div>` : ''}
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
        <p class="muted">记录只增不改，保存 ${m.retentionDays} 天。节假日修改和系统管理员登录对所有单位都记录在此。</p>
        ${
          m.rows.length
            ? html`<div class="table-wrap"><table>
                <tr><th>时间</th><th>操作人</th><th>操作</th><th>对象</th><th>结果</th><th>来源地址</th><th>详情</th></tr>
                ${m.rows.map(
                  (e) => html`<tr>
                    <td>${e.at}</td>
                    <td>${e.actorName}${e.actorId ? html` <span class="muted">${e.actorId}</span>` : ''}</td>
                    <td>${e.action}</td>
                    <td>${e.object}</td>
                    <td>${e.refused ? html`<span class="tag overdue">拒绝</span>` : '完成'}</td>
                    <td>${e.address}</td>
                    <td><code>${e.detail}</code></td>
                  </tr>`,
                )}
              </table></div>`
            : html`<p class="muted">没有符合条件的记录。</p>`
        }
        ${m.nextHref ? html`<p><a class="button" href="${m.nextHref}">下一页</a></p>` : ''}
      </div>`,
  });
}

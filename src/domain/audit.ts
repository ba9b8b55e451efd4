import type { Action, MemberState } from './policy.ts';
import type { AccountPlatform } from './records.ts';

// The trail of who did what: each change through the admin API or the console, each sign-in and
// refused sign-in, each link issued and file handed out, each 绑定 — who, on what, from where, and
// whether it was done or refused. Details never hold a secret, a token or a mobile number.

/**
 * Who acted: IT, a member (her id null only for a sign-in refused before anyone was known), or the
 * service itself (`system`: the directory sync).
 */
export type AuditActor = { kind: 'it' | 'system'; name: string } | { kind: 'member'; id: string | null; name: string };

export const IT_ACTOR: AuditActor = { kind: 'it', name: '系统管理员' };

/** The directory sync, as the trail names what it changed on its own. */
export const DIRECTORY_SYNC_ACTOR: AuditActor = { kind: 'system', name: '通讯录同步' };

/** The actions of the policy that change something, each written to the trail when done or refused. */
export type AuditedChange = Extract<
  Action,
  | 'branch.bind'
  | 'branch.backfill'
  | 'branch.write'
  | 'members.import'
  | `member.${string}`
  | 'org.write'
  | 'channels.write'
  | 'channels.test'
  | 'digests.run'
  | 'directory.apply'
  | 'calendar.write'
  | 'queues.write'
>;

export type AuditAction = AuditedChange | 'session.signin' | 'session.signout' | 'link.issue' | 'file.download' | 'file.export';

export interface AuditEntry {
  at: number;
  /** Null for what every org shares: the working-day calendar, IT's sign-in. */
  orgId: string | null;
  actor: AuditActor;
  action: AuditAction;
  /** What was acted on, e.g. `member:m1`, `branch:b1`, `calendar:2027-01-01`. */
  object: string | null;
  detail?: Record<string, unknown>;
  address: string | null;
  result: 'ok' | 'refused';
}

/** Where an entry is written: who acts, from which address. */
export interface AuditBy {
  actor: AuditActor;
  address: string | null;
}

/** The action names as the console's 操作记录 shows them. */
export const AUDIT_LABELS: Record<AuditAction, string> = {
  'session.signin': '登录控制台',
  'session.signout': '退出控制台',
  'link.issue': '发出登录链接',
  'file.download': '下载文件',
  'file.export': '导出文件',
  'branch.bind': '绑定群聊',
  'branch.backfill': '补录会议',
  'branch.write': '设置支部',
  'members.import': '导入名单',
  'member.create': '新增党员',
  'member.edit': '修改党员信息',
  'member.role': '调整角色',
  'member.appoint': '任免书记',
  'member.move': '转移支部',
  'member.accounts': '设置平台账号',
  'member.orgAdmin': '设置机关党委管理员',
  'member.leave': '登记离开',
  'org.write': '设置单位',
  'channels.write': '设置渠道',
  'channels.test': '发送测试消息',
  'digests.run': '推送周报',
  'directory.apply': '按通讯录更新名单',
  'calendar.write': '修改节假日',
  'queues.write': '操作队列',
};

/** Fields whose value the trail keeps; of the rest (the mobile number) only that it changed. */
const KEPT: (keyof MemberState)[] = ['name', 'branchId', 'role', 'orgAdmin', 'group', 'probationary'];

/**
 * What a write changed of a member: `{field: [before, after]}`, a mobile number as `changed` only,
 * each account that changed under the name the admin API gives it (`accountField`), in its order,
 * so that the trail reads as the API's fields did before and after accounts had a table.
 */
export function memberChanges(
  before: MemberState | undefined,
  after: MemberState,
  accountField: Readonly<Record<AccountPlatform, string>>,
): Record<string, unknown> {
  const changes: Record<string, unknown> = {};
  for (const key of Object.keys(after) as (keyof MemberState)[]) {
    if (key === 'accounts') {
      const was = before?.accounts ?? {};
      for (const [platform, field] of Object.entries(accountField) as [AccountPlatform, string][])
        if (was[platform] !== after.accounts[platform]) changes[field] = [was[platform] ?? null, after.accounts[platform] ?? null];
      continue;
    }
    const was = before?.[key] ?? null;
    if (was === after[key]) continue;
    changes[key] = KEPT.includes(key) ? [was, after[key]] : 'changed';
  }
  return changes;
}

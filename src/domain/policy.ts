import { ACCOUNT_PLATFORMS, type Member, type MemberAccounts, type Role } from './records.ts';

// Who may do what: the one place that decides it, for the chat, the admin API, the console and the
// CSV import alike. Four kinds of people act: a member (党员 or 委员) on her own records; a branch
// secretary on her branch; an org admin (机关党委 staff, `org_admin`) on every branch of her org;
// IT (ADMIN_TOKEN) on everything. The directory sync acts too, on one org, with the least reach of
// all. A refusal names why, so that each surface can say it in its words.

/**
 * Who acts: a member as she is now (her row), IT, or the directory sync of one org (the service
 * following the org's 通讯录 on its own, between an org admin's previews).
 */
export type Actor = { kind: 'it' } | { kind: 'member'; member: ActingMember } | { kind: 'directory'; orgId: string };

export type ActingMember = Pick<Member, 'org_id' | 'id' | 'branch_id' | 'role' | 'org_admin' | 'status'>;

/** A member acted on, as stored before the change (or as she would be created). */
export interface MemberFacts {
  orgId: string;
  id: string;
  branchId: string;
  role: Role;
  orgAdmin: boolean;
}

export type Target =
  /** The actor's own records (check-in, leave, reports, 我的) or her own sign-in. */
  | { kind: 'self' }
  | { kind: 'branch'; orgId: string; branchId: string }
  /** A move's destination needs no rule of its own: it is a branch of the member's org. */
  | { kind: 'member'; member: MemberFacts }
  | { kind: 'org'; orgId: string }
  /** What every org shares (the working-day calendar, the queues); `onlyOrg` when the deployment holds just one org. */
  | { kind: 'deployment'; onlyOrg: string | null };

/** Every action, with the kind of target it acts on. */
export const ACTIONS = {
  /** 签到, 请假, 补学, 汇报, 我的, 会议, 销假: a member's own records. */
  'own.records': 'self',
  /** 版本: what the service is; nothing of anyone's. */
  'service.about': 'self',
  /** 控制台: a sign-in link to the console. */
  'console.signin': 'self',
  /** The branch's pages, 出勤, 统计, 周报, its files (导出, 台账, 会议记录). */
  'branch.read': 'branch',
  /** 安排, 改期, 取消, 提醒, 登记, 纪要. */
  'branch.meetings': 'branch',
  /** 补录: a meeting held without the bot, entered afterwards as held; written to the trail. */
  'branch.backfill': 'branch',
  /** 绑定 a group chat to the branch; the branch's bound chats. */
  'branch.bind': 'branch',
  /** A branch's name and chats (the admin API's PUT of a branch). */
  'branch.write': 'branch',
  /** A CSV of the branch's members; each row is then checked as the change it makes. */
  'members.import': 'branch',
  /** A new member in the target's branch. */
  'member.create': 'member',
  /** Name, 党小组, 预备党员, mobile. */
  'member.edit': 'member',
  /** Between 党员 and 委员. */
  'member.role': 'member',
  /** Making or unmaking a secretary. */
  'member.appoint': 'member',
  /** To another branch (`to`). */
  'member.move': 'member',
  /** The member's platform accounts: they are who she is in chat, and so whom the console signs in. */
  'member.accounts': 'member',
  /** The org-admin flag. */
  'member.orgAdmin': 'member',
  /** Marking the member as having left. */
  'member.leave': 'member',
  /** The org's pages: its branches, channels' checklists, overview ledger. */
  'org.read': 'org',
  /** The org's name, time zone and digest time. */
  'org.write': 'org',
  'channels.write': 'org',
  /** A test message through one of the org's channels. */
  'channels.test': 'org',
  /** Running the weekly digest now. */
  'digests.run': 'org',
  /** What following the platforms' directories would change in the roster (it reads them, with their quota). */
  'directory.preview': 'org',
  /** Applying such a preview: each member it writes is then checked as the change it makes. */
  'directory.apply': 'org',
  /** The trail of who did what (操作记录). */
  'audit.read': 'org',
  /** The working-day calendar, as the org's schedules read it. */
  'calendar.read': 'org',
  'calendar.write': 'deployment',
  'queues.read': 'deployment',
  'queues.write': 'deployment',
} as const satisfies Record<string, Target['kind']>;

export type Action = keyof typeof ACTIONS;

/** The actions a write of a member's record amounts to. */
export type MemberAction = Extract<Action, `member.${string}`>;

/**
 * Why an action is refused: `scope` — outside the actor's branch or org (surfaces answer as for
 * something that does not exist); `self` — a secretary's own branch, role or status; `org-admin` —
 * the record of an org admin, which only IT changes (she her own name and contact); `needs-secretary`,
 * `needs-org-admin`, `needs-it` — the least role that may; `left` — the actor is no longer on the roll.
 */
export type Refusal = 'scope' | 'self' | 'org-admin' | 'needs-secretary' | 'needs-org-admin' | 'needs-it' | 'left';

export type Decision = { ok: true } | { ok: false; why: Refusal };

const ALLOW: Decision = { ok: true };
const refuse = (why: Refusal): Decision => ({ ok: false, why });

type Level = 'member' | 'secretary' | 'org-admin' | 'it';

/** The least role each action needs; scope and the secretary's limits are checked apart. */
const LEAST: Record<Action, Level> = {
  'own.records': 'member',
  'service.about': 'member',
  'console.signin': 'secretary',
  'branch.read': 'secretary',
  'branch.meetings': 'secretary',
  'branch.backfill': 'secretary',
  'branch.bind': 'secretary',
  'branch.write': 'org-admin',
  'members.import': 'secretary',
  'member.create': 'secretary',
  'member.edit': 'secretary',
  'member.role': 'secretary',
  'member.appoint': 'org-admin',
  'member.move': 'org-admin',
  'member.accounts': 'org-admin',
  'member.orgAdmin': 'it',
  'member.leave': 'secretary',
  'org.read': 'org-admin',
  'org.write': 'it',
  'channels.write': 'org-admin',
  'channels.test': 'org-admin',
  'digests.run': 'it',
  'directory.preview': 'org-admin',
  'directory.apply': 'org-admin',
  'audit.read': 'org-admin',
  'calendar.read': 'org-admin',
  'calendar.write': 'it',
  'queues.read': 'org-admin',
  'queues.write': 'it',
};

const NEEDS: Record<Exclude<Level, 'member'>, Refusal> = {
  secretary: 'needs-secretary',
  'org-admin': 'needs-org-admin',
  it: 'needs-it',
};

/** Whether every member on the roll may take `action`, whatever her role: what 帮助 lists to all. */
export const everyMemberMay = (action: Action): boolean => LEAST[action] === 'member';

function levelOf(m: ActingMember): Level {
  if (m.org_admin) return 'org-admin';
  return m.role === 'secretary' ? 'secretary' : 'member';
}

const RANK: Record<Level, number> = { member: 0, secretary: 1, 'org-admin': 2, it: 3 };

/** Whether `actor` may do `action` to `target` (whose kind must be the action's). */
export function decide(actor: Actor, action: Action, target: Target): Decision {
  if (target.kind !== ACTIONS[action]) throw new Error(`${action} acts on a ${ACTIONS[action]}, not a ${target.kind}`);
  if (actor.kind === 'it') return ALLOW;
  if (actor.kind === 'directory') return directorySync(actor.orgId, action, target);
  const m = actor.member;
  // One who has left keeps her own records (a meeting before she left still expects her) and may ask
  // what every member may without being on the roll (the version): nothing more.
  if (m.status === 'left') return action === 'own.records' || action === 'service.about' ? ALLOW : refuse('left');
  const level = levelOf(m);
  const least = LEAST[action];
  // Out of scope comes first: another org's or branch's things are not named as refused, but as
  // absent. What every org shares is simply IT's.
  if (!inScope(m, level, target)) return refuse(target.kind === 'deployment' ? 'needs-it' : 'scope');
  // An org admin's record is IT's, as the flag that makes her one is: another org admin who could
  // set her accounts could sign in as her. She may keep her own name and contact up to date.
  if (target.kind === 'member' && target.member.orgAdmin && !(action === 'member.edit' && target.member.id === m.id))
    return refuse('org-admin');
  if (RANK[level] < RANK[least]) return refuse(NEEDS[least as Exclude<Level, 'member'>]);
  if (level === 'secretary' && target.kind === 'member') return secretaryOnMember(m, action, target.member);
  return ALLOW;
}

/**
 * What the directory sync does on its own, in its org: what the directory settles without doubt — a
 * new member with her account, a name as the directory gives it. A move, a departure, a role or a
 * flag is for an org admin to confirm; an org admin's accounts stay IT's, as by hand.
 */
const SYNC_MAY: ReadonlySet<Action> = new Set<Action>([
  'directory.preview',
  'directory.apply',
  'member.create',
  'member.edit',
  'member.accounts',
]);

function directorySync(orgId: string, action: Action, target: Target): Decision {
  if (!SYNC_MAY.has(action)) return refuse(LEAST[action] === 'it' ? 'needs-it' : 'needs-org-admin');
  const org = target.kind === 'member' ? target.member.orgId : target.kind === 'org' || target.kind === 'branch' ? target.orgId : null;
  if (org !== orgId) return refuse('scope');
  if (target.kind === 'member' && target.member.orgAdmin && action !== 'member.edit') return refuse('org-admin');
  return ALLOW;
}

/** Whether the target lies where the actor acts at all: her own things, her branch, her org. */
function inScope(m: ActingMember, level: Level, target: Target): boolean {
  switch (target.kind) {
    case 'self':
      return true;
    case 'deployment':
      // What every org shares is an org admin's only where hers is the only org.
      return level === 'org-admin' && target.onlyOrg === m.org_id;
    case 'org':
      return target.orgId === m.org_id;
    case 'branch':
      return target.orgId === m.org_id && (level === 'org-admin' || target.branchId === m.branch_id);
    case 'member':
      if (target.member.orgId !== m.org_id) return false;
      return level === 'org-admin' || target.member.branchId === m.branch_id;
  }
}

/**
 * A secretary within her branch: not her own role or status, and not the departure of a secretary
 * (making or unmaking one is an appointment, which she may not make).
 */
function secretaryOnMember(m: ActingMember, action: Action, target: MemberFacts): Decision {
  if ((action === 'member.role' || action === 'member.leave') && target.id === m.id) return refuse('self');
  if (action === 'member.leave' && target.role === 'secretary') return refuse('needs-org-admin');
  return ALLOW;
}

/** The deployment as a target, given its orgs (any two of them, or all). */
export const deploymentOf = (orgIds: readonly string[]): Target => ({
  kind: 'deployment',
  onlyOrg: orgIds.length === 1 ? orgIds[0]! : null,
});

/** What an actor may change of a member, part by part: a form offers each part only where it is allowed. */
export interface MemberOptions {
  edit: boolean;
  /** The roles she may be given: all three with an appointment, else a secretary's own two, else none. */
  roles: Role[];
  accounts: boolean;
  move: boolean;
  orgAdmin: boolean;
  /** Whether her leaving may be recorded (not again for one who has left). */
  leave: boolean;
}

export function memberOptions(actor: Actor, member: MemberFacts, left: boolean): MemberOptions {
  const target: Target = { kind: 'member', member };
  const may = (action: Action) => decide(actor, action, target).ok;
  // Making or unmaking a secretary is an appointment: without one, a secretary's role stays as it is.
  const roles: Role[] = may('member.appoint')
    ? ['secretary', 'committee', 'member']
    : may('member.role') && member.role !== 'secretary'
      ? ['committee', 'member']
      : [];
  return {
    edit: may('member.edit'),
    roles,
    accounts: may('member.accounts'),
    move: may('member.move'),
    orgAdmin: may('member.orgAdmin'),
    leave: !left && may('member.leave'),
  };
}

/** What a member's record holds that the policy speaks of. */
export interface MemberState {
  branchId: string;
  role: Role;
  orgAdmin: boolean;
  name: string;
  group: string | null;
  probationary: boolean;
  mobile: string | null;
  accounts: MemberAccounts;
}

/** Whether two members' accounts differ on any platform. */
export const accountsDiffer = (a: MemberAccounts, b: MemberAccounts): boolean => ACCOUNT_PLATFORMS.some((p) => a[p] !== b[p]);

/**
 * The actions a write of a member's record amounts to: creating her, or each kind of field it
 * changes. A write that changes nothing amounts to none.
 */
export function memberChangeActions(before: MemberState | undefined, after: MemberState): MemberAction[] {
  const actions: MemberAction[] = [];
  const was: Partial<MemberState> = before ?? {};
  if (!before) actions.push('member.create');
  const changed = (...keys: Exclude<keyof MemberState, 'accounts'>[]) => keys.some((k) => was[k] !== after[k]);
  if (before && changed('name', 'group', 'probationary', 'mobile')) actions.push('member.edit');
  if (before && changed('branchId')) actions.push('member.move');
  const appoint = (before ? was.role === 'secretary' : false) !== (after.role === 'secretary');
  if (appoint) actions.push('member.appoint');
  else if (before && changed('role')) actions.push('member.role');
  if (accountsDiffer(was.accounts ?? {}, after.accounts)) actions.push('member.accounts');
  if ((was.orgAdmin ?? false) !== after.orgAdmin) actions.push('member.orgAdmin');
  return actions;
}

/** A member change refused: the first action the actor may not take, and why. */
export interface ChangeRefused {
  action: MemberAction;
  why: Refusal;
}

/**
 * Whether `actor` may write `after` over `before` (undefined: a new member `id` of `orgId`): each
 * action the write amounts to is decided on the member as she stands before it.
 */
export function mayChangeMember(
  actor: Actor,
  orgId: string,
  id: string,
  before: MemberState | undefined,
  after: MemberState,
): ChangeRefused | null {
  const facts: MemberFacts = before
    ? { orgId, id, branchId: before.branchId, role: before.role, orgAdmin: before.orgAdmin }
    : { orgId, id, branchId: after.branchId, role: after.role, orgAdmin: after.orgAdmin };
  for (const action of memberChangeActions(before, after)) {
    const decision = decide(actor, action, { kind: 'member', member: facts });
    if (!decision.ok) return { action, why: decision.why };
  }
  return null;
}

/**
 * Whether a change of a member ends her console sessions: what she may do, or who she is in chat,
 * changed. Signing in again reads her as she is now.
 */
export function endsSessions(before: MemberState & { left: boolean }, after: MemberState & { left: boolean }): boolean {
  return (
    before.role !== after.role ||
    before.orgAdmin !== after.orgAdmin ||
    before.branchId !== after.branchId ||
    before.left !== after.left ||
    accountsDiffer(before.accounts, after.accounts)
  );
}

/** Whether a member may hold a console session: a secretary or an org admin still on the roll. */
export const canSignIn = (m: ActingMember): boolean => decide({ kind: 'member', member: m }, 'console.signin', { kind: 'self' }).ok;

/** What a console viewer reaches: every org (IT), one org (an org admin), one branch (a secretary). */
export type Scope = { kind: 'all' } | { kind: 'org'; orgId: string } | { kind: 'branch'; orgId: string; branchId: string };

/** The reach of a signed-in viewer; null for a member who may no longer sign in, and for the directory sync, which never signs in. */
export function scopeOf(actor: Actor): Scope | null {
  if (actor.kind === 'it') return { kind: 'all' };
  if (actor.kind === 'directory') return null;
  const m = actor.member;
  if (!canSignIn(m)) return null;
  return m.org_admin ? { kind: 'org', orgId: m.org_id } : { kind: 'branch', orgId: m.org_id, branchId: m.branch_id };
}

import { describe, expect, it } from 'vitest';
import { COMMAND_ACTIONS, type CommandKind, USAGE, commandDecision } from '../handlers/index.ts';
import {
  ACTIONS,
  type Action,
  type ActingMember,
  type Actor,
  type MemberState,
  type Target,
  decide,
  endsSessions,
  mayChangeMember,
  memberChangeActions,
  scopeOf,
} from '../src/domain/policy.ts';

// The whole matrix of who may do what: every role (and the directory sync) against every action and every kind of target.
// EXPECTED names, for each action, the targets each role may act on; every other pair is refused.
// Its type lists every action, so a new action does not compile here until it has its line.

type Role = 'member' | 'committee' | 'secretary' | 'orgAdmin' | 'it' | 'left' | 'directory';
const ROLES: Role[] = ['member', 'committee', 'secretary', 'orgAdmin', 'it', 'left', 'directory'];

const acting = (fields: Partial<ActingMember> & Pick<ActingMember, 'id'>): ActingMember => ({
  org_id: 'o1',
  branch_id: 'b1',
  role: 'member',
  org_admin: false,
  status: 'active',
  ...fields,
});

// Everyone acting sits in branch b1 of org o1; the org admin is a 党员 there.
const ACTORS: Record<Role, Actor> = {
  member: { kind: 'member', member: acting({ id: 'me' }) },
  committee: { kind: 'member', member: acting({ id: 'me', role: 'committee' }) },
  secretary: { kind: 'member', member: acting({ id: 'me', role: 'secretary' }) },
  orgAdmin: { kind: 'member', member: acting({ id: 'me', org_admin: true }) },
  it: { kind: 'it' },
  left: { kind: 'member', member: acting({ id: 'me', role: 'secretary', status: 'left' }) },
  directory: { kind: 'directory', orgId: 'o1' },
};

const facts = (id: string, fields: { branchId?: string; orgId?: string; role?: 'member' | 'secretary'; orgAdmin?: boolean } = {}) => ({
  orgId: fields.orgId ?? 'o1',
  id,
  branchId: fields.branchId ?? 'b1',
  role: fields.role ?? 'member',
  orgAdmin: fields.orgAdmin ?? false,
});

/** The targets of each kind, by label. */
const TARGETS: Record<Target['kind'], Record<string, Target>> = {
  self: { self: { kind: 'self' } },
  branch: {
    ownBranch: { kind: 'branch', orgId: 'o1', branchId: 'b1' },
    otherBranch: { kind: 'branch', orgId: 'o1', branchId: 'b2' },
    otherOrg: { kind: 'branch', orgId: 'o2', branchId: 'b1' },
  },
  member: {
    self: { kind: 'member', member: facts('me') },
    member: { kind: 'member', member: facts('m1') },
    secretary: { kind: 'member', member: facts('s2', { role: 'secretary' }) },
    orgAdmin: { kind: 'member', member: facts('adm', { orgAdmin: true }) },
    otherBranch: { kind: 'member', member: facts('x1', { branchId: 'b2' }) },
    otherOrg: { kind: 'member', member: facts('me', { orgId: 'o2' }) },
  },
  org: { ownOrg: { kind: 'org', orgId: 'o1' }, otherOrg: { kind: 'org', orgId: 'o2' } },
  deployment: {
    onlyOwnOrg: { kind: 'deployment', onlyOrg: 'o1' },
    onlyOtherOrg: { kind: 'deployment', onlyOrg: 'o2' },
    manyOrgs: { kind: 'deployment', onlyOrg: null },
  },
};

/** The target as `role` meets it: herself is as she is (a secretary, an org admin). */
function asMet(role: Role, label: string, target: Target): Target {
  const actor = ACTORS[role];
  if (target.kind !== 'member' || label !== 'self' || actor.kind !== 'member') return target;
  return { ...target, member: { ...target.member, role: actor.member.role, orgAdmin: actor.member.org_admin } };
}

const ALL_MEMBERS = ['self', 'member', 'secretary', 'orgAdmin', 'otherBranch', 'otherOrg'];
// An org admin's record (hers included: she is one) is IT's, but for her own name and contact.
const ORG_MEMBERS = ['member', 'secretary', 'otherBranch'];
const IN_ORG = { orgAdmin: ORG_MEMBERS, it: ALL_MEMBERS };
const BRANCHES = { secretary: ['ownBranch'], orgAdmin: ['ownBranch', 'otherBranch'], it: ['ownBranch', 'otherBranch', 'otherOrg'] };
const ORG = { orgAdmin: ['ownOrg'], it: ['ownOrg', 'otherOrg'] };
// The directory sync: in its org, new members with their accounts and names; an org admin's name only.
const SYNC_MEMBERS = ['self', 'member', 'secretary', 'otherBranch'];

const EXPECTED: Record<Action, Partial<Record<Role, string[]>>> = {
  'own.records': { member: ['self'], committee: ['self'], secretary: ['self'], orgAdmin: ['self'], it: ['self'], left: ['self'] },
  'service.about': { member: ['self'], committee: ['self'], secretary: ['self'], orgAdmin: ['self'], it: ['self'], left: ['self'] },
  'console.signin': { secretary: ['self'], orgAdmin: ['self'], it: ['self'] },
  'branch.read': BRANCHES,
  'branch.meetings': BRANCHES,
  'branch.backfill': BRANCHES,
  'branch.bind': BRANCHES,
  'branch.write': { orgAdmin: BRANCHES.orgAdmin, it: BRANCHES.it },
  'members.import': BRANCHES,
  'member.create': { secretary: ['self', 'member', 'secretary'], ...IN_ORG, directory: SYNC_MEMBERS },
  'member.edit': {
    secretary: ['self', 'member', 'secretary'],
    orgAdmin: ['self', ...ORG_MEMBERS],
    it: ALL_MEMBERS,
    directory: [...SYNC_MEMBERS, 'orgAdmin'],
  },
  'member.role': { secretary: ['member', 'secretary'], ...IN_ORG },
  'member.appoint': IN_ORG,
  'member.move': IN_ORG,
  'member.accounts': { ...IN_ORG, directory: SYNC_MEMBERS },
  'member.orgAdmin': { it: ALL_MEMBERS },
  'member.leave': { secretary: ['member'], ...IN_ORG },
  'org.read': ORG,
  'org.write': { it: ORG.it },
  'channels.write': ORG,
  'channels.test': ORG,
  'digests.run': { it: ORG.it },
  'directory.preview': { ...ORG, directory: ['ownOrg'] },
  'directory.apply': { ...ORG, directory: ['ownOrg'] },
  'audit.read': ORG,
  'calendar.read': ORG,
  'calendar.write': { it: ['onlyOwnOrg', 'onlyOtherOrg', 'manyOrgs'] },
  'queues.read': { orgAdmin: ['onlyOwnOrg'], it: ['onlyOwnOrg', 'onlyOtherOrg', 'manyOrgs'] },
  'queues.write': { it: ['onlyOwnOrg', 'onlyOtherOrg', 'manyOrgs'] },
};

describe('the policy', () => {
  const cases = (Object.keys(ACTIONS) as Action[]).flatMap((action) =>
    ROLES.flatMap((role) => Object.entries(TARGETS[ACTIONS[action]]).map(([label, target]) => ({ action, role, label, target }))),
  );

  it('walks every role × action × target and allows exactly what the matrix says', () => {
    const wrong: string[] = [];
    for (const { action, role, label, target } of cases) {
      const allowed = (EXPECTED[action][role] ?? []).includes(label);
      const met = asMet(role, label, target);
      const decision = decide(ACTORS[role], action, met);
      if (decision.ok !== allowed) wrong.push(`${role} ${action} ${label}: ${decision.ok ? 'allowed' : 'refused'}`);
    }
    expect(wrong).toEqual([]);
    // Every action is asked of every role, on a target of each label of its kind.
    expect(cases.length).toBeGreaterThan(Object.keys(ACTIONS).length * ROLES.length);
  });

  it('names the matrix’s labels only where the action’s kind has them', () => {
    for (const [action, byRole] of Object.entries(EXPECTED) as [Action, Partial<Record<Role, string[]>>][]) {
      for (const labels of Object.values(byRole)) {
        for (const label of labels) expect(Object.keys(TARGETS[ACTIONS[action]]), `${action} ${label}`).toContain(label);
      }
    }
  });

  it('says why: out of reach as absent, the least role that may, a secretary’s own standing, an org admin’s record', () => {
    const secretary = ACTORS.secretary;
    expect(decide(secretary, 'branch.read', TARGETS.branch.otherBranch!)).toEqual({ ok: false, why: 'scope' });
    expect(decide(secretary, 'member.accounts', TARGETS.member.member!)).toEqual({ ok: false, why: 'needs-org-admin' });
    expect(decide(secretary, 'member.orgAdmin', TARGETS.member.self!)).toEqual({ ok: false, why: 'needs-it' });
    expect(decide(secretary, 'member.role', TARGETS.member.self!)).toEqual({ ok: false, why: 'self' });
    expect(decide(secretary, 'member.edit', TARGETS.member.orgAdmin!)).toEqual({ ok: false, why: 'org-admin' });
    expect(decide(secretary, 'member.leave', TARGETS.member.secretary!)).toEqual({ ok: false, why: 'needs-org-admin' });
    expect(decide(ACTORS.member, 'branch.meetings', TARGETS.branch.ownBranch!)).toEqual({ ok: false, why: 'needs-secretary' });
    expect(decide(ACTORS.left, 'console.signin', { kind: 'self' })).toEqual({ ok: false, why: 'left' });
    expect(() => decide(secretary, 'branch.read', { kind: 'self' })).toThrow();
    // What the directory sync leaves alone is an org admin's to confirm.
    const sync = ACTORS.directory;
    expect(decide(sync, 'member.move', TARGETS.member.member!)).toEqual({ ok: false, why: 'needs-org-admin' });
    expect(decide(sync, 'member.leave', TARGETS.member.member!)).toEqual({ ok: false, why: 'needs-org-admin' });
    expect(decide(sync, 'member.orgAdmin', TARGETS.member.member!)).toEqual({ ok: false, why: 'needs-it' });
    expect(decide(sync, 'member.accounts', TARGETS.member.orgAdmin!)).toEqual({ ok: false, why: 'org-admin' });
    expect(decide(sync, 'member.edit', TARGETS.member.otherOrg!)).toEqual({ ok: false, why: 'scope' });
    expect(scopeOf(sync)).toBeNull();
  });
});

const state = (fields: Partial<MemberState> = {}): MemberState => ({
  branchId: 'b1',
  role: 'member',
  orgAdmin: false,
  name: '王一',
  group: null,
  probationary: false,
  mobile: null,
  accounts: {},
  ...fields,
});

describe('a member’s change as actions', () => {
  it('names each kind of field a write changes, and nothing for a write that changes nothing', () => {
    expect(memberChangeActions(state(), state())).toEqual([]);
    expect(memberChangeActions(undefined, state())).toEqual(['member.create']);
    expect(memberChangeActions(undefined, state({ role: 'secretary', accounts: { dingtalk: 'd1' }, orgAdmin: true }))).toEqual([
      'member.create',
      'member.appoint',
      'member.accounts',
      'member.orgAdmin',
    ]);
    expect(memberChangeActions(state(), state({ name: '王二', mobile: '13800000000' }))).toEqual(['member.edit']);
    expect(memberChangeActions(state(), state({ role: 'committee' }))).toEqual(['member.role']);
    expect(memberChangeActions(state({ role: 'secretary' }), state({ role: 'committee' }))).toEqual(['member.appoint']);
    expect(memberChangeActions(state(), state({ branchId: 'b2' }))).toEqual(['member.move']);
    expect(memberChangeActions(state({ accounts: { wecom: 'w' } }), state())).toEqual(['member.accounts']);
  });

  it('refuses a secretary what the findings did: the org-admin flag, another branch’s member, a move of herself, an org admin’s accounts', () => {
    const secretary = ACTORS.secretary;
    const me = state({ role: 'secretary', accounts: { dingtalk: 'dSec' } });
    // Her own row with the org-admin flag (an import column).
    expect(mayChangeMember(secretary, 'o1', 'me', me, { ...me, orgAdmin: true })).toEqual({ action: 'member.orgAdmin', why: 'needs-it' });
    // Another branch's secretary, taken into hers as a 党员.
    expect(mayChangeMember(secretary, 'o1', 's9', state({ branchId: 'b2', role: 'secretary' }), state())).toEqual({
      action: 'member.move',
      why: 'scope',
    });
    // Herself into another branch.
    expect(mayChangeMember(secretary, 'o1', 'me', me, { ...me, branchId: 'b2' })).toEqual({
      action: 'member.move',
      why: 'needs-org-admin',
    });
    // Her own DingTalk id on an org admin of her branch.
    const admin = state({ orgAdmin: true, accounts: { dingtalk: 'dAdm' } });
    expect(mayChangeMember(secretary, 'o1', 'adm', admin, { ...admin, accounts: { dingtalk: 'dSec' } })).toEqual({
      action: 'member.accounts',
      why: 'org-admin',
    });
    // A new member with an account, or a new secretary.
    expect(mayChangeMember(secretary, 'o1', 'n1', undefined, state({ accounts: { dingtalk: 'd' } }))?.action).toBe('member.accounts');
    expect(mayChangeMember(secretary, 'o1', 'n1', undefined, state({ role: 'secretary' }))?.action).toBe('member.appoint');
    // What she may do: a new 党员 of her branch, a 委员, her own name.
    expect(mayChangeMember(secretary, 'o1', 'n1', undefined, state({ role: 'committee' }))).toBeNull();
    expect(mayChangeMember(secretary, 'o1', 'm1', state(), state({ role: 'committee', mobile: '1' }))).toBeNull();
    expect(mayChangeMember(secretary, 'o1', 'me', me, { ...me, name: '张书记' })).toBeNull();
  });

  it('lets an org admin appoint and move in her org, never set the flag; IT everything', () => {
    const admin = ACTORS.orgAdmin;
    expect(
      mayChangeMember(admin, 'o1', 'm1', state(), state({ role: 'secretary', branchId: 'b2', accounts: { dingtalk: 'd' } })),
    ).toBeNull();
    expect(mayChangeMember(admin, 'o1', 'm1', state(), state({ orgAdmin: true }))).toEqual({ action: 'member.orgAdmin', why: 'needs-it' });
    // Another org admin's accounts would let her sign in as that one: IT's.
    const other = state({ orgAdmin: true, accounts: { dingtalk: 'dOther' } });
    expect(mayChangeMember(admin, 'o1', 'adm2', other, { ...other, accounts: { dingtalk: 'dMine' } })).toEqual({
      action: 'member.accounts',
      why: 'org-admin',
    });
    const herself = state({ orgAdmin: true });
    expect(mayChangeMember(admin, 'o1', 'me', herself, { ...herself, mobile: '1' })).toBeNull();
    expect(mayChangeMember(admin, 'o1', 'me', herself, { ...herself, branchId: 'b2' })).toEqual({
      action: 'member.move',
      why: 'org-admin',
    });
    expect(mayChangeMember(admin, 'o2', 'm1', state(), state({ name: '外' }))).toEqual({ action: 'member.edit', why: 'scope' });
    expect(mayChangeMember(ACTORS.it, 'o2', 'm1', state(), state({ orgAdmin: true, role: 'secretary' }))).toBeNull();
  });

  it('ends a member’s sessions when what she may do or who she is in chat changes, not for her name', () => {
    const before = { ...state(), left: false };
    expect(endsSessions(before, { ...before, name: '王二', mobile: '1' })).toBe(false);
    for (const change of [
      { role: 'secretary' as const },
      { orgAdmin: true },
      { branchId: 'b2' },
      { left: true },
      { accounts: { dingtalk: 'x' } },
    ]) {
      expect(endsSessions(before, { ...before, ...change }), JSON.stringify(change)).toBe(true);
    }
  });

  it('gives a console viewer the reach of her standing', () => {
    expect(scopeOf(ACTORS.it)).toEqual({ kind: 'all' });
    expect(scopeOf(ACTORS.orgAdmin)).toEqual({ kind: 'org', orgId: 'o1' });
    expect(scopeOf(ACTORS.secretary)).toEqual({ kind: 'branch', orgId: 'o1', branchId: 'b1' });
    expect(scopeOf(ACTORS.member)).toBeNull();
    expect(scopeOf(ACTORS.left)).toBeNull();
  });
});

describe('chat commands under the policy', () => {
  it('gives every command its action, and runs it on the sender’s own records or branch', () => {
    const kinds = (Object.keys(USAGE) as CommandKind[]).filter((k) => k !== 'help').sort();
    expect(Object.keys(COMMAND_ACTIONS).sort()).toEqual(kinds);
    const may = (role: Role) =>
      (Object.keys(COMMAND_ACTIONS) as (keyof typeof COMMAND_ACTIONS)[]).filter((k) => {
        const actor = ACTORS[role];
        return actor.kind === 'member' && commandDecision(actor.member, k).ok;
      });
    const own = ['checkin', 'leave', 'makeup', 'report', 'mine', 'meetings', 'withdraw'];
    const everyMember = [...own, 'version'];
    expect(may('member').sort()).toEqual([...everyMember].sort());
    expect(may('committee').sort()).toEqual([...everyMember].sort());
    expect(may('secretary').sort()).toEqual(kinds);
    expect(may('orgAdmin').sort()).toEqual(kinds);
    expect(may('left').sort()).toEqual([...everyMember].sort());
  });
});

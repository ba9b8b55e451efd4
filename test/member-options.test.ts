import { describe, expect, it } from 'vitest';
import { type ActingMember, type Actor, type MemberFacts, memberOptions } from '../src/domain/policy.ts';

// What a form may offer of a member: each part only where the policy allows it.

const acting = (fields: Partial<ActingMember> & Pick<ActingMember, 'id'>): ActingMember => ({
  org_id: 'o1',
  branch_id: 'b1',
  role: 'member',
  org_admin: false,
  status: 'active',
  ...fields,
});

const secretary: Actor = { kind: 'member', member: acting({ id: 'sec', role: 'secretary' }) };
const orgAdmin: Actor = { kind: 'member', member: acting({ id: 'adm', org_admin: true }) };
const facts = (fields: Partial<MemberFacts> = {}): MemberFacts => ({
  orgId: 'o1',
  id: 'm1',
  branchId: 'b1',
  role: 'member',
  orgAdmin: false,
  ...fields,
});

describe('memberOptions', () => {
  it('gives a secretary her branch’s members’ details and roles short of secretary, not their accounts or a move', () => {
    expect(memberOptions(secretary, facts(), false)).toEqual({
      edit: true,
      roles: ['committee', 'member'],
      accounts: false,
      move: false,
      orgAdmin: false,
      leave: true,
    });
  });

  it('leaves another secretary’s role and departure to the org admin', () => {
    expect(memberOptions(secretary, facts({ role: 'secretary' }), false)).toMatchObject({ edit: true, roles: [], leave: false });
  });

  it('lets an org admin appoint, move and set accounts, but not make an org admin, nor record a leaving twice', () => {
    expect(memberOptions(orgAdmin, facts(), true)).toEqual({
      edit: true,
      roles: ['secretary', 'committee', 'member'],
      accounts: true,
      move: true,
      orgAdmin: false,
      leave: false,
    });
  });

  it('offers IT everything, and a member of another branch nothing', () => {
    expect(memberOptions({ kind: 'it' }, facts(), false)).toMatchObject({
      orgAdmin: true,
      leave: true,
      roles: ['secretary', 'committee', 'member'],
    });
    expect(memberOptions(secretary, facts({ branchId: 'b2' }), false)).toEqual({
      edit: false,
      roles: [],
      accounts: false,
      move: false,
      orgAdmin: false,
      leave: false,
    });
  });
});

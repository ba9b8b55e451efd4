import type { CommandKind } from '../src/chat/parse.ts';
import { ACTIONS, type Action, type ActingMember, type Decision, decide } from '../src/domain/policy.ts';

/**
 * What each command is, for the policy: a member's own records, or work on her branch. The type
 * lists every command, so a new one does not compile until it has its rule.
 */
export const COMMAND_ACTIONS: { [K in Exclude<CommandKind, 'help'>]: Action } = {
  checkin: 'own.records',
  leave: 'own.records',
  makeup: 'own.records',
  report: 'own.records',
  mine: 'own.records',
  meetings: 'own.records',
  withdraw: 'own.records',
  schedule: 'branch.meetings',
  reschedule: 'branch.meetings',
  cancel: 'branch.meetings',
  remind: 'branch.meetings',
  register: 'branch.meetings',
  backfill: 'branch.backfill',
  minutes: 'branch.meetings',
  attendance: 'branch.read',
  stats: 'branch.read',
  weekly: 'branch.read',
  export: 'branch.read',
  // The branch named in the command is checked by the handler; here, that she may bind at all.
  bind: 'branch.bind',
  console: 'console.signin',
};

/** Whether `member` may run a command: its action on her own records, or on her own branch. */
export function commandDecision(member: ActingMember, kind: Exclude<CommandKind, 'help'>): Decision {
  const action = COMMAND_ACTIONS[kind];
  const target =
    ACTIONS[action] === 'self' ? { kind: 'self' as const } : { kind: 'branch' as const, orgId: member.org_id, branchId: member.branch_id };
  return decide({ kind: 'member', member }, action, target);
}

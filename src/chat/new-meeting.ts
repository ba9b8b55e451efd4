import { randomInt } from 'node:crypto';
import { lockBranch } from '../../db/branches.ts';
import { findMeetingAt, insertMeeting, recentCodes } from '../../db/meetings.ts';
import type { RosterMember } from '../../db/members.ts';
import { newId } from '../core/ids.ts';
import { hasGroups, newMeetingCode, onRosterAt } from '../domain/meetings.ts';
import type { Meeting } from '../domain/records.ts';
import { type MemberContext, UserError } from './context.ts';
import type { MeetingFields } from './parse.ts';
import { SAY } from './replies.ts';
import { DAY_MS } from '../core/duration.ts';

// A new meeting of the sender's branch, from 安排 (to come) or 补录 (held without the bot).

export type MeetingCommand = MeetingFields & { kind: 'schedule' | 'backfill' };

/** Codes stay unique among the branch's meetings of the last half year and all future ones. */
const CODE_HORIZON_MS = 183 * DAY_MS;

/** The 党小组 a 党小组会 is of, among the groups of the branch on the meeting's day; null for any other meeting or a branch without groups. */
export function meetingGroup(members: readonly RosterMember[], command: MeetingCommand): string | null {
  const then = members.filter((m) => onRosterAt(m, command.at));
  if (command.type !== 'group' || !hasGroups(then)) return null;
  const groups = [...new Set(then.map((m) => m.party_group).filter((g): g is string => !!g))];
  if (!command.group) throw new UserError(SAY.whichGroup(groups));
  if (!groups.includes(command.group)) throw new UserError(SAY.noSuchGroup(command.group, groups));
  return command.group;
}

/**
 * Writes the meeting, unless the branch has one of this type (and group) at this time that is not
 * cancelled: the same command sent again (a slow reply, a second tap) names that one instead.
 */
export async function placeMeeting(
  ctx: MemberContext,
  command: MeetingCommand,
  group: string | null,
): Promise<{ meeting: Meeting; existed: boolean }> {
  const { member, db } = ctx;
  const now = ctx.clock.now();
  await lockBranch(db, member.org_id, member.branch_id);
  const slot = { org_id: member.org_id, branch_id: member.branch_id, type: command.type, party_group: group, starts_at: command.at };
  const existing = await findMeetingAt(db, slot);
  if (existing) return { meeting: existing, existed: true };
  const taken = await recentCodes(db, member.org_id, member.branch_id, now - CODE_HORIZON_MS);
  const meeting: Meeting = {
    ...slot,
    id: newId(now),
    code: newMeetingCode(taken, randomInt),
    topic: command.topic ?? null,
    location: command.location ?? null,
    status_note: null,
    status: 'scheduled',
    tags: command.tags,
    created_by: member.id,
    host_id: null,
    recorder_id: null,
    backfilled: command.kind === 'backfill',
    created_at: now,
    updated_at: now,
  };
  await insertMeeting(db, meeting);
  return { meeting, existed: false };
}

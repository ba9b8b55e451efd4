import type { MeetingTable, MemberTable } from '../../db/schema.ts';
import { getMeetingByCode, listBranchMeetings } from '../../db/meetings.ts';
import { listBranchMembers } from '../../db/members.ts';
import { escapeMarkdown } from '../markdown.ts';
import { meetingTitle } from '../meeting-text.ts';
import { type MemberContext, UserError } from './context.ts';

/**
 * A meeting of the sender's own branch by code. Codes are looked up inside the sender's org and
 * branch only, so another org's (or branch's) code is simply not found.
 */
export async function meetingByCode(ctx: MemberContext, code: string, opts: { allowCancelled?: boolean } = {}): Promise<MeetingTable> {
  const meeting = await getMeetingByCode(ctx.db, ctx.member.org_id, ctx.member.branch_id, code);
  if (!meeting) throw new UserError(`本支部没有编号为 ${code} 的会议，请核对会议通知里的编号。`);
  if (meeting.status === 'cancelled' && !opts.allowCancelled) throw new UserError(`会议 ${code} 已取消。`);
  return meeting;
}

const ROLE_ORDER = { secretary: 0, committee: 1, member: 2 } as const;

/** The sender's branch, secretary first, then committee members, then members (lists read in that order). */
export async function branchMembers(ctx: MemberContext): Promise<MemberTable[]> {
  const members = await listBranchMembers(ctx.db, ctx.member.org_id, ctx.member.branch_id);
  return members.sort((a, b) => ROLE_ORDER[a.role] - ROLE_ORDER[b.role] || a.id.localeCompare(b.id));
}

export function describeMeeting(ctx: MemberContext, meeting: MeetingTable): string {
  return meetingTitle(meeting, ctx.org.timezone, ctx.clock.now());
}

export const names = (members: Pick<MemberTable, 'name'>[]) => (members.length ? members.map((m) => escapeMarkdown(m.name)).join('、') : '无');

const LOOKAHEAD_MS = 60 * 86_400_000;

/** The branch's meetings whose check-in has not closed, up to two months ahead: what a bare 签到 or 请假 may mean. */
export function openMeetings(ctx: MemberContext): Promise<MeetingTable[]> {
  const now = ctx.clock.now();
  return listBranchMeetings(ctx.db, ctx.member.org_id, ctx.member.branch_id, now - ctx.settings.checkinCloses, now + LOOKAHEAD_MS);
}

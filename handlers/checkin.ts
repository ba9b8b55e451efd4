import type { Command } from '../src/commands/parse.ts';
import { type MemberContext, UserError } from '../src/commands/context.ts';
import { branchMembers, describeMeeting, meetingByCode, openMeetings } from '../src/commands/meeting-lookup.ts';
import { checkinWindow, expectedMembers, isExpected, meetingForCheckin, quorum } from '../src/meetings.ts';
import { escapeMarkdown } from '../src/markdown.ts';
import { formatLocal } from '../src/time.ts';
import type { MeetingTable } from '../db/schema.ts';
import { getAttendance, listAttendance, putAttendance } from '../db/attendance.ts';

/** 签到: one word, optional, idempotent; the meeting whose check-in window holds now, or `code`. */
export async function checkin(ctx: MemberContext, command: Extract<Command, { kind: 'checkin' }>): Promise<void> {
  const { member, db, settings } = ctx;
  const now = ctx.clock.now();
  const members = await branchMembers(ctx);
  const mine = (m: MeetingTable) => isExpected(m, members, member.id);
  const tz = ctx.org.timezone;

  let meeting: MeetingTable;
  if (command.code) {
    meeting = await meetingByCode(ctx, command.code);
    if (!mine(meeting)) throw new UserError(`你不在会议 ${meeting.code} 的应到人员中。`);
    const window = checkinWindow(meeting, settings.checkinOpens, settings.checkinCloses);
    if (now < window.opens) throw new UserError(`签到还没开始：${formatLocal(window.opens, tz, now)} 起可以签到。`);
    if (now > window.closes) throw new UserError(`会议 ${meeting.code} 的签到已结束；未能参加的可以发送「补学 ${meeting.code} 学习体会」。`);
  } else {
    const candidates = await openMeetings(ctx);
    const { open, upcoming } = meetingForCheckin(candidates.filter(mine), now, settings.checkinOpens, settings.checkinCloses);
    if (!open) {
      if (!upcoming) throw new UserError('现在没有需要你签到的会议。');
      const opens = checkinWindow(upcoming, settings.checkinOpens, settings.checkinCloses).opens;
      throw new UserError(`签到还没开始：${describeMeeting(ctx, upcoming)} ${formatLocal(opens, tz, now)} 起可以签到。`);
    }
    meeting = open;
  }

  const existing = await getAttendance(db, meeting.id, member.id);
  if (existing?.status !== 'present') {
    await putAttendance(db, { meeting_id: meeting.id, member_id: member.id, org_id: member.org_id, status: 'present', note: null, at: now, source: ctx.message.messageId }, now);
  }
  const expected = expectedMembers(meeting, members);
  const present = new Set((await listAttendance(db, meeting.id)).filter((a) => a.status === 'present').map((a) => a.member_id));
  const presentExpected = expected.filter((m) => present.has(m.id)).length;
  const lines = [`**${escapeMarkdown(member.name)} 已签到**：${describeMeeting(ctx, meeting)}`, '', `到会 ${presentExpected}/${expected.length} 人`];
  if (meeting.type === 'assembly') {
    const q = quorum(expected, present);
    lines.push(`正式党员到会 ${q.presentFormal}/${q.formal} 人，${q.reached ? '已过半数' : '尚未过半数'}`);
  }
  ctx.reply({ title: '已签到', markdown: lines.join('\n') });
}

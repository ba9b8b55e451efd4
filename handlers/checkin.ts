import { markAttendance } from '../src/chat/attendance.ts';
import { type MemberContext, UserError } from '../src/chat/context.ts';
import { branchMembers, describeMeeting, meetingByCode, meetingMeant, opensAt } from '../src/chat/meeting-lookup.ts';
import type { Command } from '../src/chat/parse.ts';
import { escapeMarkdown } from '../src/domain/markdown.ts';
import { checkinWindow, expectedMembers, isExpected, quorum } from '../src/domain/meetings.ts';
import { getAttendance, listAttendance } from '../db/attendance.ts';

/** 签到: one word, optional, idempotent; the meeting whose check-in window holds now, or `code`. */
export async function checkin(ctx: MemberContext, command: Extract<Command, { kind: 'checkin' }>): Promise<void> {
  const { member, db, settings } = ctx;
  const now = ctx.clock.now();
  const members = await branchMembers(ctx);

  const meeting = await (command.code ? meetingByCode(ctx, command.code) : meetingMeant(ctx, 'checkin', members));
  if (command.code) {
    if (!isExpected(meeting, members, member.id)) throw new UserError(`你不在会议 ${meeting.code} 的应到人员中。`);
    const window = checkinWindow(meeting, settings.checkinOpens, settings.checkinCloses);
    if (now < window.opens)
      throw new UserError(`签到还没开始：${describeMeeting(ctx, meeting)}，${opensAt(ctx, meeting, window.opens)}起可以签到。`);
    if (now > window.closes)
      throw new UserError(`会议 ${meeting.code} 的签到已结束；未能参加的可以发送「补学 ${meeting.code} 学习体会」。`);
  }

  const existing = await getAttendance(db, meeting.id, member.id);
  if (existing?.status !== 'present') await markAttendance(ctx, meeting, member, 'present');
  const expected = expectedMembers(meeting, members);
  const present = new Set((await listAttendance(db, meeting.id)).filter((a) => a.status === 'present').map((a) => a.member_id));
  const presentExpected = expected.filter((m) => present.has(m.id)).length;
  const lines = [
    `**${escapeMarkdown(member.name)} 已签到**：${describeMeeting(ctx, meeting)}`,
    '',
    `到会 ${presentExpected}/${expected.length} 人`,
  ];
  if (meeting.type === 'assembly') {
    const q = quorum(expected, present);
    lines.push(`正式党员到会 ${q.presentFormal}/${q.formal} 人，${q.reached ? '已过半数' : '尚未过半数'}`);
  }
  ctx.reply({ title: '已签到', markdown: lines.join('\n') });
}

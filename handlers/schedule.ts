import { randomInt } from 'node:crypto';
import type { Command } from '../src/chat/parse.ts';
import { type MemberContext, UserError } from '../src/chat/context.ts';
import { planMeetingReminders } from '../src/chat/outbox.ts';
import { branchMembers, describeMeeting } from '../src/chat/meeting-lookup.ts';
import { TAG_LABELS } from '../src/domain/vocabulary.ts';
import { expectedMembers, hasGroups, newMeetingCode, onRosterAt } from '../src/domain/meetings.ts';
import { escapeMarkdown } from '../src/domain/markdown.ts';
import { newId } from '../src/core/ids.ts';
import type { MeetingTable } from '../db/schema.ts';
import { getChannel } from '../db/channels.ts';
import { insertMeeting, recentCodes } from '../db/meetings.ts';
import { DEFAULT_BOT_NAME } from '../src/domain/channels.ts';
import { SAY } from '../src/chat/replies.ts';

/** Codes stay unique among the branch's meetings of the last half year and all future ones. */
const CODE_HORIZON_MS = 183 * 86_400_000;

/** 安排: the secretary schedules a meeting of their branch and gets its code. */
export async function schedule(ctx: MemberContext, command: Extract<Command, { kind: 'schedule' }>): Promise<void> {
  const { member, db } = ctx;
  const now = ctx.clock.now();
  const members = await branchMembers(ctx);
  const current = members.filter((m) => onRosterAt(m, now));
  let group: string | null = null;
  if (command.type === 'group' && hasGroups(current)) {
    const groups = [...new Set(current.map((m) => m.party_group).filter((g): g is string => !!g))];
    if (!command.group) throw new UserError(SAY.whichGroup(groups));
    if (!groups.includes(command.group)) throw new UserError(SAY.noSuchGroup(command.group, groups));
    group = command.group;
  }
  const taken = await recentCodes(db, member.org_id, member.branch_id, now - CODE_HORIZON_MS);
  const meeting: MeetingTable = {
    id: newId(now),
    org_id: member.org_id,
    branch_id: member.branch_id,
    code: newMeetingCode(taken, randomInt),
    type: command.type,
    topic: command.topic ?? null,
    location: command.location ?? null,
    party_group: group,
    status_note: null,
    starts_at: command.at,
    status: 'scheduled',
    tags: JSON.stringify(command.tags),
    created_by: member.id,
    host_id: null,
    recorder_id: null,
    created_at: now,
    updated_at: now,
  };
  await insertMeeting(db, meeting);
  await planMeetingReminders(ctx, meeting);
  const bot = escapeMarkdown((await getChannel(db, ctx.message.channelId))?.config.botName ?? DEFAULT_BOT_NAME);
  const markdown = SAY.scheduled(describeMeeting(ctx, meeting), {
    code: meeting.code,
    expected: expectedMembers(meeting, members).length,
    location: meeting.location,
    group,
    tags: command.tags.map((t) => TAG_LABELS[t]),
    bot,
  });
  ctx.reply({ title: `已安排会议 ${meeting.code}`, markdown });
}

import type { MemberContext } from '../src/chat/context.ts';
import { defineCommand } from '../src/chat/command.ts';
import { noArguments } from '../src/chat/parse.ts';
import { describeMeeting } from '../src/chat/meeting-lookup.ts';
import { meetingState, stateText } from '../src/domain/meetings.ts';
import { type MeetingWithEvidence, listBranchMeetings } from '../db/meetings.ts';
import { SAY } from '../src/chat/replies.ts';
import { canSignIn } from '../src/domain/policy.ts';
import { DAY_MS } from '../src/core/duration.ts';

export const meetingsCommand = defineCommand({
  kind: 'meetings',
  words: ['会议', 'meetings'],
  usage: '会议（本支部近期和即将召开的会议及编号）',
  refusalTitle: '暂不能查看会议',
  action: 'own.records',
  parse: noArguments('会议'),
  handle: meetings,
});

/** How far back and ahead 会议 looks, and how many of each it lists. */
const RECENT_MS = 30 * DAY_MS;
const AHEAD_MS = 60 * DAY_MS;
const MAX_LISTED = 10;

/** 会议: the branch's upcoming meetings and those of the last 30 days, with codes and status; names no one. */
async function meetings(ctx: MemberContext): Promise<void> {
  const { member } = ctx;
  const now = ctx.clock.now();
  const all = await listBranchMeetings(ctx.db, member.org_id, member.branch_id, now - RECENT_MS, now + AHEAD_MS);
  const ahead = all.filter((m) => m.starts_at > now);
  const past = all.filter((m) => m.starts_at <= now).reverse();
  const upcoming = ahead.slice(0, MAX_LISTED);
  const recent = past.slice(0, MAX_LISTED);
  // What is not listed is said, with where all of it can be read: the console, where there is one.
  const unlisted = ahead.length - upcoming.length + past.length - recent.length;
  const seeAll = ctx.settings.publicUrl ? (canSignIn(member) ? 'self' : 'secretary') : null;
  const more = unlisted ? SAY.meetingsUnlisted(unlisted, seeAll) : null;
  // A meeting under way that nobody has checked in to yet is neither held nor not held.
  const state = (m: MeetingWithEvidence) => {
    const s = meetingState(m, now, ctx.settings.checkinCloses);
    const label = s === 'scheduled' ? (m.starts_at <= now ? SAY.underWay : '') : stateText(m, s);
    return `${describeMeeting(ctx, m)}${label && `：${label}`}`;
  };
  ctx.reply({ title: SAY.meetingsTitle, markdown: SAY.meetings(upcoming.map(state), recent.map(state), more) });
}

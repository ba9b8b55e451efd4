import { meetingCard } from './cards.ts';
import { DEFAULT_BOT_NAME } from './channels.ts';
import { escapeMarkdown } from './markdown.ts';
import { meetingTitle } from './meeting-text.ts';
import type { OutboundMessage } from './outbound.ts';
import type { Meeting, Member, ReminderKind } from './records.ts';

// Meeting reminders: which a meeting has, when each is still worth sending, and
// what each says. Pure: the queue and the database carry them out.

export interface ReminderTiming {
  /** Before the start (REMINDER_OFFSETS), ms. */
  offsets: number[];
  /** After the start (ABSENT_NUDGE_AFTER), ms. */
  nudgeAfter: number;
  /** Check-in opens this long before the start (CHECKIN_OPENS), ms: a card offers 签到 from then. */
  checkinOpens: number;
  /** Check-in closes this long after the start (CHECKIN_CLOSES), ms. */
  checkinCloses: number;
}

export interface PlannedReminder {
  kind: ReminderKind;
  offset: number;
  dueAt: number;
}

/** Every reminder a meeting starting at `startsAt` has under `timing`. */
export function planReminders(startsAt: number, timing: Pick<ReminderTiming, 'offsets' | 'nudgeAfter'>): PlannedReminder[] {
  return [
    ...timing.offsets.map((offset) => ({ kind: 'remind' as const, offset, dueAt: startsAt - offset })),
    { kind: 'start', offset: 0, dueAt: startsAt },
    { kind: 'nudge', offset: timing.nudgeAfter, dueAt: startsAt + timing.nudgeAfter },
  ];
}

/** The reminders 安排, 改期 or 取消 plan: those still ahead at `now`, none for a cancelled meeting. */
export function remindersAhead(
  meeting: Pick<Meeting, 'starts_at' | 'status'>,
  timing: Pick<ReminderTiming, 'offsets' | 'nudgeAfter'>,
  now: number,
): PlannedReminder[] {
  return meeting.status === 'scheduled' ? planReminders(meeting.starts_at, timing).filter((p) => p.dueAt > now) : [];
}

/** The queue job of a reminder: one id per meeting, kind, offset and start, so a moved meeting gets new jobs. */
export const reminderJobId = (meetingId: string, kind: ReminderKind, offset: number, startsAt: number) =>
  `${kind}-${meetingId}-${offset}-${startsAt.toString(36)}`;

/**
 * Whether a reminder that comes due at `now` (perhaps late: no worker ran) is still worth sending:
 * a reminder while the meeting has not started, a start notice or a nudge while check-in is open.
 * Null to send; else why it is dropped.
 */
export function lateReason(kind: ReminderKind, startsAt: number, now: number, checkinCloses: number): string | null {
  if (kind === 'remind') return now < startsAt ? null : 'the meeting had started when the reminder could be sent';
  return now <= startsAt + checkinCloses ? null : 'check-in had closed when the notice could be sent';
}

/**
 * What a reminder says, to the branch's group chats; null when there is nothing to say (a nudge
 * with everyone checked in or on leave). `missing`: those not checked in, for a nudge, @-mentioned
 * where the platform can, else only counted. With it, the same notice as a card whose buttons
 * stand for the commands the text tells members to type.
 */
export function reminderNotice(
  kind: ReminderKind,
  meeting: Pick<Meeting, 'id' | 'type' | 'topic' | 'code' | 'starts_at' | 'location'>,
  tz: string,
  now: number,
  checkinOpens: number,
  missing: Pick<Member, 'id'>[] = [],
  botName = DEFAULT_BOT_NAME,
): OutboundMessage | null {
  const title = meetingTitle(meeting, tz, now);
  const where = meeting.location ? `\n\n地点：${escapeMarkdown(meeting.location)}` : '';
  // In a group the platforms pass the bot only what @-mentions it: the answer must say so.
  const say = (command: string) => `「@${escapeMarkdown(botName)} ${command}」`;
  const card = (note: string) => {
    const made = meetingCard(kind, meeting, tz, now, checkinOpens, note);
    return made.actions.length ? { card: made } : {};
  };
  switch (kind) {
    case 'remind':
      return {
        title: '会议提醒',
        markdown: `**会议提醒**：${title}${where}\n\n不能参加的同志请在群里发送${say(`请假 ${meeting.code} 事由`)}。`,
        ...card(`不能参加的同志请点「请假」，也可在群里发送${say(`请假 ${meeting.code} 事由`)}。`),
      };
    case 'start':
      return {
        title: '会议开始',
        markdown: `**会议开始**：${title}${where}\n\n到会的同志可在群里发送${say('签到')}（自愿，不强制；也可由书记登记）。`,
        ...card('到会的同志可点「签到」（自愿，不强制；也可由书记登记）。'),
      };
    case 'nudge': {
      if (missing.length === 0) return null;
      const started = now < meeting.starts_at ? '即将开始' : '已开始';
      const count = `会议 ${meeting.code} 尚有 ${missing.length} 位同志未签到。`;
      return {
        title: '签到提醒',
        markdown: `**签到提醒**：${title} ${started}。到会的同志请发送${say('签到')}；不能参加的请发送${say(`请假 ${meeting.code} 事由`)}。`,
        mentions: missing.map((m) => m.id),
        unmentioned: count,
        // The card's note names and counts no one: a platform that cannot @-mention adds the count.
        ...card('到会的同志请点「签到」。'),
      };
    }
  }
}

import { createHash } from 'node:crypto';
import type { Meeting, ReminderKind } from './records.ts';
import { markdownToText } from './markdown.ts';
import { formatLocal } from './time.ts';
import { MEETING_LABELS } from './vocabulary.ts';

// A meeting's notice as a card with buttons, where a platform shows one: what it says (plain text,
// never markdown: cards render none), which buttons it carries, and how a press finds its way back
// to the meeting. A button stands for a typed command and never does more than it would.

/** What a button does: the typed command it stands for (签到, 请假). */
export type CardAction = 'checkin' | 'leave';

export const CARD_ACTIONS: readonly CardAction[] = ['checkin', 'leave'];

/** What each button reads. */
export const CARD_BUTTON_TEXT: Record<CardAction, string> = { checkin: '签到', leave: '请假' };

export interface MeetingCard {
  meetingId: string;
  kind: ReminderKind;
  /** The card's heading: 会议提醒, 会议开始, 签到提醒. */
  title: string;
  /** The meeting's facts, each a short label and its plain-text value. */
  rows: { label: string; value: string }[];
  /** A line under the facts: how to answer, or, on a card updated for one member, what was recorded. */
  note: string;
  actions: CardAction[];
}

type CardMeeting = Pick<Meeting, 'id' | 'type' | 'topic' | 'code' | 'starts_at' | 'location'>;

const HEADINGS: Record<ReminderKind, string> = { remind: '会议提醒', start: '会议开始', nudge: '签到提醒' };

/**
 * The card of a meeting's notice at `now`: 签到 while check-in is open (it opens `checkinOpens`
 * before the start; a card shown after it closes is refused by the command), 请假 before the start.
 */
export function meetingCard(
  kind: ReminderKind,
  meeting: CardMeeting,
  tz: string,
  now: number,
  checkinOpens: number,
  note: string,
): MeetingCard {
  const actions = CARD_ACTIONS.filter((a) => (a === 'checkin' ? now >= meeting.starts_at - checkinOpens : now < meeting.starts_at));
  const rows = [
    { label: '会议', value: MEETING_LABELS[meeting.type] },
    ...(meeting.topic ? [{ label: '议题', value: meeting.topic }] : []),
    { label: '时间', value: formatLocal(meeting.starts_at, tz, now) },
    ...(meeting.location ? [{ label: '地点', value: meeting.location }] : []),
    { label: '编号', value: meeting.code },
  ];
  return { meetingId: meeting.id, kind, title: HEADINGS[kind], rows, note, actions };
}

const hash = (text: string, length: number) => createHash('sha256').update(text).digest('hex').slice(0, length);

/**
 * A card's task id: the notice (kind and meeting) it belongs to, a hash of its chat, and a hash of
 * the send (a retried send keeps its id, a second 提醒 gets its own), as the platforms want one id
 * per card they hold (WeCom: letters, digits and `_-@`, at most 128 bytes, never repeated).
 */
export function cardTaskId(card: Pick<MeetingCard, 'kind' | 'meetingId'>, chatId: string, sendKey: string): string {
  return `tx-${card.kind}-${card.meetingId}-${hash(chatId, 10)}-${hash(sendKey, 8)}`;
}

const TASK = /^tx-(remind|start|nudge)-([0-9a-z]{1,40})-([0-9a-f]{10})-[0-9a-f]{8}$/;

/** The notice a task id names, and the hash of its chat; null for one the service never made. */
export function parseCardTask(taskId: string): { kind: ReminderKind; meetingId: string; chat: string } | null {
  const m = TASK.exec(taskId);
  return m ? { kind: m[1] as ReminderKind, meetingId: m[2]!, chat: m[3]! } : null;
}

/** Whether a parsed task id was made for a card in `chatId`. */
export const madeForChat = (task: { chat: string }, chatId: string): boolean => task.chat === hash(chatId, 10);

/** The action a button's key names; null for a key the service never made. */
export const parseCardAction = (key: string): CardAction | null =>
  ((CARD_ACTIONS as readonly string[]).find((a) => a === key) as CardAction | null) ?? null;

/**
 * The note a card shows its presser: what was recorded (the reply's title, 「已签到」), or why
 * not (the refusal's title and its first line, 「签到未成功：签到还没开始：…」), as plain text.
 */
export function pressNote(reply: { title: string; markdown: string }, refused: boolean): string {
  if (!refused) return reply.title;
  const first = reply.markdown.split('\n').find((line) => line.trim() !== '');
  return first ? `${reply.title}：${markdownToText(first).trim()}` : reply.title;
}

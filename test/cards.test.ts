import { describe, expect, it } from 'vitest';
import { cardTaskId, madeForChat, meetingCard, parseCardAction, parseCardTask, pressNote } from '../src/domain/cards.ts';
import { cardWithoutMentions } from '../src/domain/outbound.ts';
import { reminderNotice } from '../src/domain/reminders.ts';
import { fromLocal } from '../src/domain/time.ts';

// A meeting's notice as a card: which buttons it carries when, what it says, and how a press finds
// its meeting again. Pure: no database, no platform.

const TZ = 'Asia/Shanghai';
const at = (day: number, hour: number, minute = 0) => fromLocal({ year: 2026, month: 12, day, hour, minute }, TZ);
const OPENS = 30 * 60_000;
const meeting = {
  id: '0mj3k2x1a9b8c7d6e5f4g3',
  type: 'lecture',
  topic: '学习<全会>精神',
  code: 'K7Q',
  starts_at: at(7, 15),
  location: null,
} as const;

describe('a meeting card', () => {
  it('offers 请假 before the start and 签到 once check-in has opened', () => {
    expect(meetingCard('remind', meeting, TZ, at(7, 9), OPENS, '').actions).toEqual(['leave']);
    expect(meetingCard('remind', meeting, TZ, at(7, 14, 40), OPENS, '').actions).toEqual(['checkin', 'leave']);
    expect(meetingCard('start', meeting, TZ, at(7, 15), OPENS, '').actions).toEqual(['checkin']);
    expect(meetingCard('nudge', meeting, TZ, at(7, 15, 10), OPENS, '').actions).toEqual(['checkin']);
  });

  it('says the meeting in plain text, without an empty place', () => {
    const card = meetingCard('start', meeting, TZ, at(7, 15), OPENS, '到会的同志可点「签到」。');
    expect(card.title).toBe('会议开始');
    expect(card.rows).toEqual([
      { label: '会议', value: '党课' },
      { label: '议题', value: '学习<全会>精神' },
      { label: '时间', value: expect.stringContaining('15:00') },
      { label: '编号', value: 'K7Q' },
    ]);
  });

  it('names its notice and chat in a task id that reads back, one per send, and nothing else reads as one', () => {
    const id = cardTaskId({ kind: 'nudge', meetingId: meeting.id }, 'cid-group-1', 'nudge-abc');
    expect(id).toMatch(/^[A-Za-z0-9_@-]{1,128}$/);
    expect(id).toBe(cardTaskId({ kind: 'nudge', meetingId: meeting.id }, 'cid-group-1', 'nudge-abc'));
    expect(id).not.toBe(cardTaskId({ kind: 'nudge', meetingId: meeting.id }, 'cid-group-2', 'nudge-abc'));
    expect(id).not.toBe(cardTaskId({ kind: 'nudge', meetingId: meeting.id }, 'cid-group-1', 'nudge-def'));
    const task = parseCardTask(id)!;
    expect(task).toMatchObject({ kind: 'nudge', meetingId: meeting.id });
    expect(madeForChat(task, 'cid-group-1')).toBe(true);
    expect(madeForChat(task, 'cid-group-2')).toBe(false);
    for (const forged of ['', 'tx-start-K7Q', `tx-other-${meeting.id}-0123456789-01234567`, `tx-start-${meeting.id}-01234-01234567`])
      expect(parseCardTask(forged)).toBeNull();
    expect(parseCardAction('checkin')).toBe('checkin');
    expect(parseCardAction('delete')).toBeNull();
  });

  it('shows its presser what was recorded, or the refusal in plain text', () => {
    expect(pressNote({ title: '已签到', markdown: '**张一 已签到**：党课（K7Q）' }, false)).toBe('已签到');
    expect(pressNote({ title: '签到未成功', markdown: '**签到还没开始**：党课（K7Q）\n\n用法：签到' }, true)).toBe(
      '签到未成功：签到还没开始：党课（K7Q）',
    );
  });
});

describe('reminder notices with cards', () => {
  it('carry the card where a button applies, and a nudge counts instead of naming where it cannot mention', () => {
    const remind = reminderNotice('remind', meeting, TZ, at(7, 9), OPENS)!;
    expect(remind.card?.actions).toEqual(['leave']);
    const nudge = reminderNotice('nudge', meeting, TZ, at(7, 15, 10), OPENS, [{ id: 'm1' }, { id: 'm2' }])!;
    expect(nudge.mentions).toEqual(['m1', 'm2']);
    expect(nudge.unmentioned).toBe('会议 K7Q 尚有 2 位同志未签到。');
    // The card counts no one; a platform that cannot @-mention adds the count to it.
    expect(nudge.card?.note).toBe('到会的同志请点「签到」。');
    expect(cardWithoutMentions(nudge.card!, nudge.unmentioned).note).toBe('会议 K7Q 尚有 2 位同志未签到。到会的同志请点「签到」。');
    expect(JSON.stringify(nudge.card)).not.toMatch(/m1|m2/);
  });
});

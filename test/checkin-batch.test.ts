import { type Kysely, TableNode } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { insertMeeting, listBranchMeetingsPresent } from '../db/meetings.ts';
import type { Database } from '../db/schema.ts';
import { createDispatch } from '../src/app.ts';
import { settingsFrom } from '../src/chat/context.ts';
import { checkinSpan, readCheckinMeetings } from '../src/chat/meeting-lookup.ts';
import type { ChatMessage, Reply } from '../src/chat/message.ts';
import { seedBranches } from './helpers/branches.ts';
import { type TestApp, startTestApp } from './helpers/app.ts';
import { DIALECTS, meetingRow } from './helpers/db.ts';
import { DT_SECRET } from './helpers/dingtalk.ts';

// 签到 in a burst: messages arriving together share one transaction, and the 签到 among
// them one write of their attendance. Each 签到 still counts those before it in its batch; a
// command that reads attendance itself (请假) runs after those rows are written.

const NOW = Date.UTC(2026, 10, 28, 2, 0, 0);
const MEMBERS = 5;

describe.each(DIALECTS)('签到 in one batch on %s', (dialect) => {
  // The meetings are read once a batch; on MySQL those found are then locked (shared) in one more
  // statement, so that a 改期 committed meanwhile is seen, or waits (db/meetings.ts lockMeetings).
  const MEETING_READS = dialect === 'mysql' ? 2 : 1;
  let t: TestApp;
  let attendanceWrites = 0;
  let meetingReads = 0;
  /** The test database, counting statements. */
  let db: Kysely<Database>;
  let dispatch: (message: ChatMessage) => Promise<Reply | null>;
  let sent = 0;

  const message = (staffId: string, text: string): ChatMessage => ({
    platform: 'dingtalk',
    channelId: 'dt1',
    orgId: 'org1',
    chatType: 'group',
    chatId: 'cid-0',
    senderId: staffId,
    senderName: null,
    text,
    messageId: `checkin-batch-${++sent}`,
    receivedAt: t.clock.now(),
    replyFormat: 'dingtalk',
  });
  /** Messages handed over in one turn of the event loop: one batch. */
  const together = (...messages: ChatMessage[]) => Promise.all(messages.map((m) => dispatch(m).then((r) => r?.markdown ?? '')));
  const statusOf = async (memberId: string) =>
    (await t.db.selectFrom('attendance').select('status').where('member_id', '=', memberId).executeTakeFirst())?.status;

  beforeAll(async () => {
    t = await startTestApp(dialect, { now: NOW });
    await seedBranches(t.db, { branches: 2, robot: 'checkin-batch-robot-', appSecret: DT_SECRET, members: MEMBERS, secretaries: true });
    await insertMeeting(t.db, meetingRow({ code: 'D7H', branch_id: 'b0', type: 'assembly', starts_at: NOW + 10 * 60_000 }));
    db = t.db.withPlugin({
      transformQuery({ node }) {
        if ((node.kind === 'InsertQueryNode' && node.into?.table.identifier.name === 'attendance') || node.kind === 'UpdateQueryNode') {
          attendanceWrites++;
        }
        if (node.kind === 'SelectQueryNode' && node.from?.froms.some((f) => TableNode.is(f) && f.table.identifier.name === 'meetings')) {
          meetingReads++;
        }
        return node;
      },
      transformResult: async ({ result }) => result,
    });
    dispatch = createDispatch({ config: t.config, db, clock: t.clock, logger: t.logger, queues: t.queues });
    // Org and senders read once, so that every message below takes the same steps to its batch.
    await together(...Array.from({ length: MEMBERS }, (_, m) => message(`dm0-${m}`, '帮助')), message('ds0', '帮助'));
  });
  afterAll(() => t.close());

  it('five 签到 arriving together: one write, one read of the meetings, and each counts those before it', async () => {
    attendanceWrites = 0;
    meetingReads = 0;
    const replies = await together(...Array.from({ length: MEMBERS }, (_, m) => message(`dm0-${m}`, '签到')));
    expect(replies.every((r) => r.includes('已签到'))).toBe(true);
    expect(replies.map((r) => /到会 (\d)\/6 人/.exec(r)?.[1])).toEqual(['1', '2', '3', '4', '5']);
    expect(attendanceWrites).toBe(1);
    expect(meetingReads).toBe(MEETING_READS);
    const rows = await t.db.selectFrom('attendance').select(['member_id', 'status']).orderBy('member_id').execute();
    expect(rows).toEqual(Array.from({ length: MEMBERS }, (_, m) => ({ member_id: `m0-${m}`, status: 'present' })));
  });

  it('a 请假 after a 签到 in the same batch finds the member present; a 签到 after a 请假 replaces it', async () => {
    await t.db.deleteFrom('attendance').execute();
    const [checkin, leave] = await together(message('dm0-0', '签到'), message('dm0-0', '请假 出差'));
    expect(checkin).toContain('已签到');
    expect(leave).toContain('已在会议 D7H 签到，无需请假');
    expect(await statusOf('m0-0')).toBe('present');

    const [leaveFirst, checkinAfter] = await together(message('dm0-1', '请假 出差'), message('dm0-1', '签到'));
    expect(leaveFirst).toContain('已请假');
    expect(checkinAfter).toContain('已签到');
    expect(await statusOf('m0-1')).toBe('present');
  });

  it('a 签到 after a command that wrote in its batch reads the meetings again: it counts the 签到 written before', async () => {
    await t.db.deleteFrom('attendance').execute();
    meetingReads = 0;
    // The 请假 has the first 签到 written before it runs; the meetings read for the batch hold neither.
    const [first, leave, second] = await together(message('dm0-0', '签到'), message('dm0-1', '请假 出差'), message('dm0-2', '签到'));
    expect(first).toContain('到会 1/6 人');
    expect(leave).toContain('已请假');
    expect(second).toContain('到会 2/6 人');
    expect(meetingReads).toBeGreaterThan(MEETING_READS);
  });

  it('the meetings read for a batch are, branch by branch, what each branch’s own read gives; beyond what was read, nothing', async () => {
    await insertMeeting(t.db, meetingRow({ code: 'L8T', branch_id: 'b0', starts_at: NOW + 3 * 86_400_000 }));
    await insertMeeting(t.db, meetingRow({ code: 'B1X', branch_id: 'b1', starts_at: NOW + 20 * 60_000 }));
    const settings = settingsFrom(t.config);
    const hint = (branchId: string, checkinMeetings: boolean) => ({ orgId: 'org1', branchId, roster: true, checkinMeetings });
    meetingReads = 0;
    const reads = await readCheckinMeetings(db, settings, NOW, [hint('b0', true), hint('b1', true), hint('b0', false), hint('b2', false)]);
    expect(meetingReads).toBe(MEETING_READS);
    for (const at of [NOW, NOW + 30_000]) {
      const { from, to } = checkinSpan(settings, at);
      for (const branch of ['b0', 'b1']) {
        const own = await listBranchMeetingsPresent(t.db, 'org1', branch, from, to);
        expect(own.length).toBeGreaterThan(0);
        expect(reads.meetingsPresent('org1', branch, from, to)).toEqual(own);
      }
      expect(reads.meetingsPresent('org1', 'b2', from, to)).toBeUndefined();
    }
    const now = checkinSpan(settings, NOW);
    const b0 = reads.meetingsPresent('org1', 'b0', now.from, now.to)!;
    expect(b0.map((r) => [r.meeting.code, [...r.present].sort()])).toEqual([
      ['D7H', ['m0-0', 'm0-2']],
      ['L8T', []],
    ]);
    // Asked for a span it did not read: earlier than it began, or later than a batch lasts.
    for (const at of [NOW - 1, NOW + 120_000]) {
      const { from, to } = checkinSpan(settings, at);
      expect(reads.meetingsPresent('org1', 'b0', from, to)).toBeUndefined();
    }
  });

  it('a 签到 after its meeting is cancelled in the same batch is refused, and stores nothing', async () => {
    await t.db.deleteFrom('attendance').execute();
    const [cancelled, checkin] = await together(message('ds0', '取消 D7H'), message('dm0-3', '签到'));
    expect(cancelled).toContain('已取消');
    expect(checkin).not.toContain('已签到');
    expect(await statusOf('m0-3')).toBeUndefined();
  });
});

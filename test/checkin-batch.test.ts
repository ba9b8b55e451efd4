import type { Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { insertMeeting } from '../db/meetings.ts';
import type { Database } from '../db/schema.ts';
import { createDispatch } from '../src/app.ts';
import type { ChatMessage, Reply } from '../src/chat/message.ts';
import { seedBranches } from './helpers/branches.ts';
import { type TestApp, startTestApp } from './helpers/app.ts';
import { DIALECTS, meetingRow } from './helpers/db.ts';
import { DT_SECRET } from './helpers/dingtalk.ts';

// 签到 in a burst (issue #15): messages arriving together share one transaction, and the 签到 among
// them one write of their attendance. Each 签到 still counts those before it in its batch; a
// command that reads attendance itself (请假) runs after those rows are written.

const NOW = Date.UTC(2026, 10, 28, 2, 0, 0);
const MEMBERS = 5;

describe.each(DIALECTS)('签到 in one batch on %s', (dialect) => {
  let t: TestApp;
  let attendanceWrites = 0;
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
    await seedBranches(t.db, { branches: 1, robot: 'checkin-batch-robot-', appSecret: DT_SECRET, members: MEMBERS });
    await insertMeeting(t.db, meetingRow({ code: 'DH', branch_id: 'b0', type: 'assembly', starts_at: NOW + 10 * 60_000 }));
    const db: Kysely<Database> = t.db.withPlugin({
      transformQuery({ node }) {
        if ((node.kind === 'InsertQueryNode' && node.into?.table.identifier.name === 'attendance') || node.kind === 'UpdateQueryNode') {
          attendanceWrites++;
        }
        return node;
      },
      transformResult: async ({ result }) => result,
    });
    dispatch = createDispatch({ config: t.config, db, clock: t.clock, logger: t.logger, queues: t.queues });
    // Org and senders read once, so that every message below takes the same steps to its batch.
    await together(...Array.from({ length: MEMBERS }, (_, m) => message(`dm0-${m}`, '帮助')));
  });
  afterAll(() => t.close());

  it('five 签到 arriving together: one write, and each counts those before it', async () => {
    attendanceWrites = 0;
    const replies = await together(...Array.from({ length: MEMBERS }, (_, m) => message(`dm0-${m}`, '签到')));
    expect(replies.every((r) => r.includes('已签到'))).toBe(true);
    expect(replies.map((r) => /到会 (\d)\/5 人/.exec(r)?.[1])).toEqual(['1', '2', '3', '4', '5']);
    expect(attendanceWrites).toBe(1);
    const rows = await t.db.selectFrom('attendance').select(['member_id', 'status']).orderBy('member_id').execute();
    expect(rows).toEqual(Array.from({ length: MEMBERS }, (_, m) => ({ member_id: `m0-${m}`, status: 'present' })));
  });

  it('a 请假 after a 签到 in the same batch finds the member present; a 签到 after a 请假 replaces it', async () => {
    await t.db.deleteFrom('attendance').execute();
    const [checkin, leave] = await together(message('dm0-0', '签到'), message('dm0-0', '请假 出差'));
    expect(checkin).toContain('已签到');
    expect(leave).toContain('已在会议 DH 签到，无需请假');
    expect(await statusOf('m0-0')).toBe('present');

    const [leaveFirst, checkinAfter] = await together(message('dm0-1', '请假 出差'), message('dm0-1', '签到'));
    expect(leaveFirst).toContain('已请假');
    expect(checkinAfter).toContain('已签到');
    expect(await statusOf('m0-1')).toBe('present');
  });
});

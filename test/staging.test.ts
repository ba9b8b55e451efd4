import { type Kysely, type KyselyPlugin, TableNode } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { putAttendance } from '../db/attendance.ts';
import { insertMeeting, listBranchMeetingsPresent, withHeldMarks } from '../db/meetings.ts';
import { insertReport } from '../db/reports.ts';
import type { AttendanceStatus, Database } from '../db/schema.ts';
import { HeldRows, holdWrites } from '../db/staging.ts';
import { createDispatch } from '../src/app.ts';
import type { ChatMessage } from '../src/chat/message.ts';
import { type TestApp, startTestApp } from './helpers/app.ts';
import { seedBranches } from './helpers/branches.ts';
import { DIALECTS, countOf, meetingRow } from './helpers/db.ts';
import { DT_SECRET } from './helpers/dingtalk.ts';

// Group commit behind the repositories: on a transaction that holds back its writes, insertReport
// and putAttendance leave their rows for the batch, and the reads of who is present count them, so
// that a handler reads and writes as if it ran alone. Elsewhere the repositories write at once.

const NOW = Date.UTC(2026, 10, 28, 2, 0, 0);
const SPAN = { from: NOW - 86_400_000, to: NOW + 86_400_000 };

/** Another instance of the same transaction, as the batch gives each command. */
const instance = (db: Kysely<Database>) =>
  db.withPlugin({ transformQuery: ({ node }) => node, transformResult: async ({ result }) => result });

describe.each(DIALECTS)('writes held back by the repositories on %s', (dialect) => {
  let t: TestApp;
  let meetingId: string;
  const mark = (member: string, status: AttendanceStatus) => ({
    meeting_id: meetingId,
    member_id: member,
    org_id: 'org1',
    status,
    note: null,
    at: NOW,
    source: null,
  });
  const report = (id: string) => ({
    id,
    org_id: 'org1',
    branch_id: 'b0',
    member_id: 'm0-0',
    category: 'enterprise' as const,
    text: '走访某公司，协调解决用电难题',
    tags: [],
    at: NOW,
    source: null,
  });
  const whoIs = async (db: Kysely<Database>) => {
    const [row] = withHeldMarks(db, await listBranchMeetingsPresent(db, 'org1', 'b0', SPAN.from, SPAN.to));
    return { present: [...row!.present].sort(), leave: [...row!.leave].sort() };
  };

  beforeAll(async () => {
    t = await startTestApp(dialect, { now: NOW });
    await seedBranches(t.db, { branches: 1, robot: 'staging-robot-', appSecret: DT_SECRET, members: 4 });
    const meeting = meetingRow({ code: 'H3L', branch_id: 'b0', starts_at: NOW + 10 * 60_000 });
    meetingId = meeting.id;
    await insertMeeting(t.db, meeting);
  });
  afterAll(() => t.close());

  it('holds a command’s rows back for its batch, and counts them and its neighbours’ in who is present', async () => {
    const rolledBack = t.db.transaction().execute(async (trx) => {
      await putAttendance(trx, mark('m0-3', 'present'), NOW);
      const first = new HeldRows([]);
      const one = instance(trx);
      holdWrites(one, first);
      await putAttendance(one, mark('m0-0', 'present'), NOW);
      await putAttendance(one, mark('m0-1', 'leave'), NOW);
      await insertReport(one, report('held-1'));
      expect(first.own.map((r) => r.table)).toEqual(['attendance', 'attendance', 'service_reports']);
      expect(await countOf(trx, 'service_reports')).toBe(0);
      expect(await countOf(trx, 'attendance')).toBe(1);
      expect(await whoIs(one)).toEqual({ present: ['m0-0', 'm0-3'], leave: ['m0-1'] });

      // The next command of the batch: a 签到 over a leave replaces it; a leave over a check-in too.
      const second = new HeldRows(first.own);
      const two = instance(trx);
      holdWrites(two, second);
      await putAttendance(two, mark('m0-1', 'present'), NOW);
      await putAttendance(two, mark('m0-3', 'leave'), NOW);
      expect(second.own).toHaveLength(2);
      expect(await whoIs(two)).toEqual({ present: ['m0-0', 'm0-1'], leave: ['m0-3'] });
      // The transaction itself holds nothing back: it reads what is written.
      expect(await whoIs(trx)).toEqual({ present: ['m0-3'], leave: [] });
      throw new Error('rolled back');
    });
    await expect(rolledBack).rejects.toThrow('rolled back');
  });

  it('writes at once where the transaction holds nothing back', async () => {
    await putAttendance(t.db, mark('m0-2', 'present'), NOW);
    await insertReport(t.db, report('at-once'));
    expect(await whoIs(t.db)).toEqual({ present: ['m0-2'], leave: [] });
    expect(await countOf(t.db, 'service_reports')).toBe(1);
  });

  it('five 汇报 arriving together: one INSERT of their reports', async () => {
    let reportInserts = 0;
    const counting: KyselyPlugin = {
      transformQuery({ node }) {
        if (node.kind === 'InsertQueryNode' && TableNode.is(node.into!) && node.into.table.identifier.name === 'service_reports')
          reportInserts++;
        return node;
      },
      transformResult: async ({ result }) => result,
    };
    const dispatch = createDispatch({
      config: t.config,
      db: t.db.withPlugin(counting),
      clock: t.clock,
      logger: t.logger,
      queues: t.queues,
    });
    const message = (m: number): ChatMessage => ({
      platform: 'dingtalk',
      channelId: 'dt1',
      orgId: 'org1',
      chatType: 'group',
      chatId: 'cid-0',
      senderId: `dm0-${m}`,
      senderName: null,
      text: `汇报 企业 走访某公司，协调解决用电难题 ${m}`,
      messageId: `staging-report-${m}`,
      receivedAt: t.clock.now(),
      replyFormat: 'dingtalk',
    });
    // Org and senders read once first, so that the five below go in one batch.
    await Promise.all([0, 1, 2, 3].map((m) => dispatch({ ...message(m), text: '帮助', messageId: `staging-help-${m}` })));
    reportInserts = 0;
    const replies = await Promise.all([0, 1, 2, 3, 0].map((m, i) => dispatch({ ...message(m), messageId: `staging-report-${i}` })));
    expect(replies.every((r) => r?.title.startsWith('已记录'))).toBe(true);
    expect(reportInserts).toBe(1);
    expect(await countOf(t.db, 'service_reports')).toBe(6);
  });
});

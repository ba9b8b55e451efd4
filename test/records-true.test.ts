import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { putBranch } from '../db/branches.ts';
import { putChannel } from '../db/channels.ts';
import { putMember } from '../db/members.ts';
import { putOrg } from '../db/orgs.ts';
import { createDispatch } from '../src/app.ts';
import type { ChatMessage } from '../src/chat/message.ts';
import { fromLocal } from '../src/domain/time.ts';
import { type TestApp, startTestApp } from './helpers/app.ts';
import { viaDingtalk } from './helpers/chat.ts';
import { DIALECTS, countRows, memberRow } from './helpers/db.ts';
import { DT_SECRET } from './helpers/dingtalk.ts';

// Records that stay true: 改期 voids the check-ins made for the old time, the same 安排 twice makes
// one meeting, and a meeting held without the bot is entered afterwards with 补录, marked as such
// in every record, file and count.

const TZ = 'Asia/Shanghai';
const at = (month: number, day: number, hour: number, minute = 0) => fromLocal({ year: 2026, month, day, hour, minute }, TZ);
const GROUP = 'cidRecords==';

describe.each(DIALECTS)('records that stay true on %s', (dialect) => {
  let t: TestApp;
  const say = (who: string, text: string, direct = false) => viaDingtalk(t, 'dt1', who, text, { chat: GROUP, direct });
  const codeOf = (reply: string) => /[（(]([A-Z0-9]{3})[）)]/.exec(reply)![1]!;
  const admin = async <T>(path: string) => (await (await t.admin('GET', `/admin/orgs/org1${path}`)).json()) as T;
  const record = (code: string) =>
    admin<{ markdown: string; status: string; present: unknown[]; backfilled: unknown }>(`/branches/b1/meetings/${code}/record`);
  const meetingsOf = (code: string) => t.db.selectFrom('meetings').selectAll().where('code', '=', code).execute();

  beforeAll(async () => {
    // Monday 7 December 2026, 09:00.
    t = await startTestApp(dialect, { now: at(12, 7, 9) });
    const now = t.clock.now();
    await putOrg(t.db, { id: 'org1', name: '机关工委', timezone: TZ, digest_cron: null }, now);
    await putChannel(t.db, 'org1', 'dt1', { platform: 'dingtalk', appKey: 'k', appSecret: DT_SECRET, robotCode: 'r' }, now);
    await putBranch(t.db, 'org1', 'b1', '第一党支部', [{ channel_id: 'dt1', chat_id: GROUP, webhook: null, secret: null }], now);
    await putMember(t.db, memberRow({ id: 'sec', name: '李书记', role: 'secretary', accounts: { dingtalk: 'sec' } }), now);
    await putMember(t.db, memberRow({ id: 'c1', name: '周委员', role: 'committee', accounts: { dingtalk: 'c1' } }), now);
    for (const [id, name] of [
      ['m1', '张一'],
      ['m2', '王二'],
      ['m3', '赵三'],
      ['m4', '钱四'],
    ])
      await putMember(t.db, memberRow({ id: id!, name: name!, accounts: { dingtalk: id! } }), now);
  });
  afterAll(() => t.close());

  it('改期 after check-ins voids them, keeps leave, and says how many must check in again', async () => {
    const code = codeOf(await say('sec', '安排 党员大会 今天晚上8点 议题 学习全会精神'));
    expect(await say('m4', `请假 ${code} 外出调研`)).toContain('钱四 已请假');
    t.clock.set(at(12, 7, 19, 45));
    for (const m of ['m1', 'm2', 'm3']) await say(m, '签到');
    expect((await record(code)).markdown).toContain('- 实到 3 人');

    const reply = await say('sec', `改期 ${code} 明天下午2点`);
    expect(reply).toContain('已改期：支部党员大会「学习全会精神」');
    expect(reply).toContain('原时间的 3 人签到已作废，请到会同志在新的时间重新签到。');
    const after = await record(code);
    expect(after.status).toBe('scheduled');
    expect(after.present).toEqual([]);
    expect(after.markdown).toContain('- 实到 0 人：无');
    expect(after.markdown).toContain('- 请假 1 人：钱四');
    expect(after.markdown).toContain('- 尚未签到 5 人');
    const attendance = (await admin<{ present: string[]; leave: unknown[] }>(`/branches/b1/meetings/${code}/attendance`)) as {
      present: string[];
    };
    expect(attendance.present).toEqual([]);
    // A move before anyone checked in says nothing of check-ins.
    expect(await say('sec', `改期 ${code} 明天下午3点`)).not.toContain('作废');
  });

  it('the same 安排 sent three times makes one meeting with one set of reminders and names it each time', async () => {
    const first = await say('sec', '安排 支委会 12月10日 15:00 议题 研究年度考核');
    const code = codeOf(first);
    const reminders = await t.db.selectFrom('meeting_reminders').selectAll().execute();
    const second = await say('sec', '安排 支委会 12月10日 15:00 议题 研究年度考核');
    const third = await say('sec', '安排 支委会 12月10日下午3点');
    for (const again of [second, third]) {
      expect(again).toContain('这个会议已经安排过了');
      expect(codeOf(again)).toBe(code);
    }
    expect(await meetingsOf(code)).toHaveLength(1);
    expect(await t.db.selectFrom('meetings').select('id').where('type', '=', 'committee').execute()).toHaveLength(1);
    expect(await t.db.selectFrom('meeting_reminders').selectAll().execute()).toEqual(reminders);
    // Another type at the same time, or the same after a cancellation, is a new meeting.
    expect(await say('sec', '安排 党课 12月10日 15:00')).toContain('已安排党课');
    expect(await say('sec', `取消 ${code}`)).toContain('已取消');
    expect(codeOf(await say('sec', '安排 支委会 12月10日 15:00'))).not.toBe(code);
  });

  it('two service processes taking one 安排 each at once make one meeting', async () => {
    // Two processes on one database, as a deployment of two: each its own batches and transactions.
    const processes = [1, 2].map(() => createDispatch({ config: t.config, db: t.db, clock: t.clock, logger: t.logger, queues: t.queues }));
    const message = (n: number): ChatMessage => ({
      platform: 'dingtalk',
      channelId: 'dt1',
      orgId: 'org1',
      chatType: 'group',
      chatId: GROUP,
      senderId: 'sec',
      senderName: null,
      text: '安排 党小组会 12月16日 15:00 议题 学习党章',
      messageId: `twice-${n}`,
      receivedAt: t.clock.now(),
      replyFormat: 'dingtalk',
    });
    const replies = await Promise.all(processes.map((dispatch, i) => dispatch(message(i)).then((r) => r?.markdown ?? '')));
    expect(new Set(replies.map(codeOf)).size).toBe(1);
    expect(replies.filter((r) => r.includes('已安排党小组会'))).toHaveLength(1);
    expect(await t.db.selectFrom('meetings').select('id').where('type', '=', 'group').execute()).toHaveLength(1);
  });

  it('a 签到 and a 改期 of its meeting in two processes at once leave nobody present at the moved meeting', async () => {
    t.clock.set(at(12, 7, 19, 45));
    const code = codeOf(await say('sec', '安排 党课 今天晚上8点 议题 同时发生'));
    // The 签到's process reads the meetings, then stalls: the 改期 commits in the other process meanwhile.
    let stall: (() => void) | undefined;
    const stalled = new Promise<void>((resolve) => {
      stall = resolve;
    });
    const slow = t.db.withPlugin({
      transformQuery: ({ node }) => node,
      async transformResult({ result }) {
        const first = result.rows[0] as Record<string, unknown> | undefined;
        if (stall && first && 'present_ids' in first && first.code === code) {
          stall();
          stall = undefined;
          await new Promise((r) => setTimeout(r, 300));
        }
        return result;
      },
    });
    const deps = { config: t.config, clock: t.clock, logger: t.logger, queues: t.queues };
    const checkinProcess = createDispatch({ ...deps, db: slow });
    const secretaryProcess = createDispatch({ ...deps, db: t.db });
    const message = (senderId: string, text: string, n: string): ChatMessage => ({
      platform: 'dingtalk',
      channelId: 'dt1',
      orgId: 'org1',
      chatType: 'group',
      chatId: GROUP,
      senderId,
      senderName: null,
      text,
      messageId: `race-${n}`,
      receivedAt: t.clock.now(),
      replyFormat: 'dingtalk',
    });
    const checkin = checkinProcess(message('m1', '签到', 'checkin'));
    await stalled;
    const moved = await secretaryProcess(message('sec', `改期 ${code} 明天下午3点`, 'move'));
    await checkin;
    expect(moved?.markdown).toContain('已改期');
    const present = await t.db
      .selectFrom('attendance')
      .innerJoin('meetings', 'meetings.id', 'attendance.meeting_id')
      .select('attendance.member_id')
      .where('meetings.code', '=', code)
      .where('attendance.status', '=', 'present')
      .execute();
    expect(present).toEqual([]);
  });

  it('补录 enters last month’s 支委会 as held, marked, audited, without reminders; 登记 records who came', async () => {
    const before = await countRows(t.db);
    const reply = await say('sec', '补录 支委会 11月20日 15:00 议题 研究发展党员工作 地点 三楼会议室');
    expect(reply).toContain('已补录支部委员会会议「研究发展党员工作」');
    expect(reply).toContain('记为已召开（补录）');
    const code = codeOf(reply);
    expect(reply).toContain(`登记 ${code} 姓名… 到`);
    const [meeting] = await meetingsOf(code);
    expect(meeting).toMatchObject({ backfilled: 1, starts_at: at(11, 20, 15), created_by: 'sec', status: 'scheduled' });
    expect(await t.db.selectFrom('meeting_reminders').selectAll().where('meeting_id', '=', meeting!.id).execute()).toEqual([]);
    expect(await countRows(t.db)).toMatchObject({ meetings: before.meetings! + 1 });

    // Held from the moment it is entered, and marked with who entered it and when.
    let rec = await record(code);
    expect(rec.status).toBe('held');
    expect(rec.markdown).toContain('- 状态：已召开');
    expect(rec.markdown).toContain('- 补录：2026年12月7日由李书记录入，会议召开时未使用机器人');
    expect(rec.backfilled).toMatchObject({ by: { id: 'sec', name: '李书记' } });

    expect(await say('sec', `登记 ${code} 李书记 周委员 到`)).toContain('已登记到会');
    rec = await record(code);
    expect(rec.markdown).toContain('- 实到 2 人：周委员、李书记');

    const audit = await admin<{ items: { action: string; object: string; detail: Record<string, unknown>; actor: unknown }[] }>(
      '/audit?action=branch.backfill',
    );
    expect(audit.items).toEqual([
      expect.objectContaining({
        action: 'branch.backfill',
        object: `meeting:${meeting!.id}`,
        detail: { code, type: 'committee', startsAt: '2026-11-20T15:00:00.000+08:00' },
      }),
    ]);

    const list = await admin<{ code: string; status: string; backfilled?: boolean }[]>(
      `/branches/b1/meetings?from=2026-11-01T00:00:00%2B08:00`,
    );
    expect(list.find((m) => m.code === code)).toMatchObject({ status: 'held', backfilled: true });

    const ledger = new ExcelJS.Workbook();
    await ledger.xlsx.load(await (await t.admin('GET', '/admin/orgs/org1/branches/b1/ledger.xlsx?quarter=2026-Q4')).arrayBuffer());
    const rows = ledger.getWorksheet('会议')!.getSheetValues() as unknown[][];
    expect(rows.find((r) => Array.isArray(r) && r[1] === code)?.[6]).toBe('已召开（补录）');

    const overview = new ExcelJS.Workbook();
    await overview.xlsx.load(await (await t.admin('GET', '/admin/orgs/org1/ledger.xlsx?quarter=2026-Q4')).arrayBuffer());
    const branchRow = (overview.getWorksheet('各支部')!.getSheetValues() as unknown[][]).find(
      (r) => Array.isArray(r) && r[1] === '第一党支部',
    )!;
    expect(branchRow).toContain('1（含补录1）/3');

    expect(await say('sec', '统计')).toContain('已开的会议中有 1 次是补录的');
  });

  it('补录 refuses a time to come, a quarter before the last, a second entry and a member', async () => {
    const before = await countRows(t.db);
    expect(await say('sec', '补录 党课 12月20日 15:00')).toContain('还没有到：补录只能记已经召开的会议');
    expect(await say('sec', '补录 党课 6月30日 15:00')).toContain('补录只能记本季度和上季度召开的会议（2026年第三季度起）');
    expect(await say('m1', '补录 党课 11月3日 15:00')).toContain('只有支部书记可以使用这条命令');
    expect(await say('sec', '补录 支委会 11月20日下午3点')).toContain('这个会议已经有记录了');
    expect(await countRows(t.db)).toMatchObject({ meetings: before.meetings, attendance: before.attendance });
    // 周五 said on a Monday is the Friday just past.
    const friday = codeOf(await say('sec', '补录 党小组会 周五下午3点'));
    expect((await meetingsOf(friday))[0]).toMatchObject({ starts_at: at(12, 4, 15), backfilled: 1 });
  });
});

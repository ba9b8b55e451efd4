import type { Kysely } from 'kysely';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { putBranch } from '../db/branches.ts';
import { putChannel } from '../db/channels.ts';
import { putMember } from '../db/members.ts';
import { putOrg } from '../db/orgs.ts';
import type { Database } from '../db/schema.ts';
import { runComplianceForOrg } from '../jobs/compliance.ts';
import { fromLocal } from '../src/domain/time.ts';
import { type TestApp, startTestApp } from './helpers/app.ts';
import { viaDingtalk, viaWecomBot } from './helpers/chat.ts';
import { DIALECTS, memberRow } from './helpers/db.ts';
import { DT_SECRET } from './helpers/dingtalk.ts';

// What a group chat can see: one test per kind of push that may reach a group. Names
// of people who missed something go only to the secretary privately; a group reads counts. The one
// exception, the nudge during a meeting, @-mentions those not checked in without calling them absent.

const TZ = 'Asia/Shanghai';
const at = (month: number, day: number, hour: number, minute = 0) => fromLocal({ year: 2026, month, day, hour, minute }, TZ);
const BOT = { token: 'privacyToken1', encodingAESKey: 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG' };
const GROUP = 'cidPrivacyGroup==';
const NAMES = /韩书记|张晓明|刘芳|周密/;

async function seed(db: Kysely<Database>, now: number) {
  await putOrg(db, { id: 'org1', name: '机关工委', timezone: TZ, digest_cron: null }, now);
  await putChannel(db, 'org1', 'dt1', { platform: 'dingtalk', appKey: 'k', appSecret: DT_SECRET, robotCode: 'r' }, now);
  await putChannel(db, 'org1', 'wb1', { platform: 'wecom-bot', ...BOT }, now);
  await putBranch(db, 'org1', 'b1', '第一党支部', [{ channel_id: 'dt1', chat_id: GROUP, webhook: 'privacyrobot', secret: null }], now);
  // The secretary uses the WeCom group robot, which cannot write to anyone privately: pushes for
  // them fall back to the group.
  await putMember(db, memberRow({ id: 'sec', name: '韩书记', role: 'secretary', accounts: { wecom: 'sec' } }), now);
  await putMember(db, memberRow({ id: 'm1', name: '张晓明', accounts: { dingtalk: 'm1' } }), now);
  await putMember(db, memberRow({ id: 'm2', name: '刘芳', accounts: { dingtalk: 'm2' } }), now);
  await putMember(db, memberRow({ id: 'm3', name: '周密', accounts: { dingtalk: 'm3' } }), now);
}

describe.each(DIALECTS)('what a group sees, on %s', (dialect) => {
  let t: TestApp;
  let code: string;
  const secretary = (text: string, opts: { direct?: boolean; chat?: string } = { direct: true }) =>
    viaWecomBot(t, 'wb1', BOT, 'sec', text, opts);
  const member = (id: string, text: string) => viaDingtalk(t, 'dt1', id, text, { chat: GROUP });
  const groupPushes = async () =>
    (await t.db.selectFrom('deliveries').select(['id', 'target', 'body']).orderBy('created_at').orderBy('id').execute())
      .filter((d) => (JSON.parse(d.target) as { kind: string }).kind === 'chat')
      .map((d) => ({ id: d.id, ...(JSON.parse(d.body) as { title: string; markdown: string; mentions?: string[] }) }));
  const newPushes = async (before: { id: string }[]) => {
    const seen = new Set(before.map((d) => d.id));
    return (await groupPushes()).filter((d) => !seen.has(d.id));
  };

  beforeAll(async () => {
    t = await startTestApp(dialect, { now: at(11, 3, 8) });
    await seed(t.db, t.clock.now());
    const reply = await secretary('安排 党员大会 今天上午10点 议题 学习党章');
    code = /会议编号：\*\*([A-Z0-9]{3})\*\*/.exec(reply)![1]!;
    t.clock.set(at(11, 3, 10, 5));
    expect(await member('m1', '签到')).toContain('张晓明 已签到');
    expect(await member('m2', '请假 外出调研')).toContain('刘芳 已请假');
  });
  afterAll(() => t.close());

  it('the nudge (提醒) @-mentions those not checked in, names no one in its text and calls no one absent', async () => {
    const before = await groupPushes();
    expect(await secretary(`提醒 ${code}`)).toContain('已在群里提醒尚未签到的同志');
    const [nudge, ...more] = await newPushes(before);
    expect(more).toEqual([]);
    expect(nudge!.mentions!.sort()).toEqual(['m3', 'sec']);
    expect(nudge!.markdown).not.toMatch(NAMES);
    expect(nudge!.markdown).not.toMatch(/缺席|未到|\d+\s*人/);
  });

  it('出勤 is answered only privately: in the group it names no one', async () => {
    const inGroup = await secretary('出勤', { chat: 'wxGroup' });
    expect(inGroup).toContain('请私聊我');
    expect(inGroup).not.toMatch(NAMES);
    const direct = await secretary(`出勤 ${code}`);
    expect(direct).toContain('- 请假：刘芳（外出调研）');
  });

  it('周报 is answered only privately: in the group it names no one', async () => {
    const inGroup = await secretary('周报', { chat: 'wxGroup' });
    expect(inGroup).toContain('请私聊我');
    expect(inGroup).not.toMatch(NAMES);
  });

  it('the weekly digest, falling back to the group, gives counts and no names', async () => {
    t.clock.set(at(11, 9, 10));
    const before = await groupPushes();
    const res = await t.admin('POST', '/admin/orgs/org1/digests/run', { week: '2026-W45', branch: 'b1' });
    expect(await res.json()).toMatchObject({ results: [{ branch: 'b1', outcome: 'queued' }] });
    const [digest, ...more] = await newPushes(before);
    expect(more).toEqual([]);
    expect(digest!.title).toBe('第一党支部五同周报：2026年第45周');
    // m3 and the secretary were absent without leave; the two and 刘芳 are to make it up; nobody reported.
    expect(digest!.markdown).toContain('到会 1/4');
    expect(digest!.markdown).toContain('未请假缺席：2 人');
    expect(digest!.markdown).toContain('待补学：3 人');
    expect(digest!.markdown).toContain('近四周未汇报：4 人');
    expect(digest!.markdown).not.toMatch(NAMES);
    // The same digest, previewed by an admin for where it goes, is the group's: no names either.
    const preview = (await (await t.admin('GET', '/admin/orgs/org1/branches/b1/digest?week=2026-W45')).json()) as { markdown: string };
    expect(preview.markdown).not.toMatch(NAMES);
  });

  it('the compliance notice to the group names branches and meeting types, never members', async () => {
    const before = await groupPushes();
    const logger = pino({ level: 'silent' });
    const run = await runComplianceForOrg({ db: t.db, outbound: t.queues.outbound, logger, clock: t.clock }, 'org1', '2026-12-01');
    expect(run).toMatchObject({ kinds: ['monthStart'], notices: 1 });
    const [notice, ...more] = await newPushes(before);
    expect(more).toEqual([]);
    expect(notice!.markdown).toContain('**第一党支部** 2026年12月尚需召开：');
    expect(notice!.markdown).not.toMatch(NAMES);
  });
});

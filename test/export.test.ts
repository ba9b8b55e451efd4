import ExcelJS from 'exceljs';
import JSZip from 'jszip';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { putAttendance } from '../db/attendance.ts';
import { putBranch } from '../db/branches.ts';
import { putChannel } from '../db/channels.ts';
import { insertMeeting } from '../db/meetings.ts';
import { putMember } from '../db/members.ts';
import { putOrg } from '../db/orgs.ts';
import { startWorkers } from '../jobs/workers.ts';
import { deliver } from '../src/platforms/deliver.ts';
import { PlatformClients } from '../src/platforms/shared/clients.ts';
import { fromLocal } from '../src/domain/time.ts';
import { type TestApp, startTestApp } from './helpers/app.ts';
import { viaDingtalk, viaWecomApp, viaWecomBot } from './helpers/chat.ts';
import { DIALECTS, countRows, meetingRow, memberRow } from './helpers/db.ts';
import { DT_SECRET } from './helpers/dingtalk.ts';
import { type FakePlatform, type RecordedRequest, startFakePlatform } from './helpers/fake-platform.ts';
import { SAMPLE } from './helpers/wecom.ts';

// 导出: a secretary, one-to-one, gets the 台账 file privately, through the app she asked in —
// DingTalk as the robot's file message after a media upload, the WeCom self-built app as a file
// message after a media upload (asked through the WeCom AI bot, the app of the same WeCom) — and,
// where no channel can reach her privately, a sentence saying so.

const TZ = 'Asia/Shanghai';
const at = (month: number, day: number, hour = 15) => fromLocal({ year: 2026, month, day, hour }, TZ);
const NOW = at(12, 1, 10);
const BOT = { token: 'botToken123', encodingAESKey: 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG' };
const PUBLIC_URL = 'https://tongxin.example.gov.cn';

async function seed(t: TestApp) {
  const db = t.db;
  for (const [org, name] of [
    ['o1', '钉钉机关工委'],
    ['o2', '企微机关工委'],
    ['o3', '只有智能机器人的机关'],
    ['o4', '钉钉和企业微信都用的机关'],
  ] as const) {
    await putOrg(db, { id: org, name, timezone: TZ, digest_cron: null }, NOW);
    await putBranch(db, org, 'b1', '第一党支部', [], NOW);
  }
  await putChannel(db, 'o1', 'dt1', { platform: 'dingtalk', appKey: 'key1', appSecret: DT_SECRET, robotCode: 'robot1' }, NOW);
  await putChannel(db, 'o2', 'wa2', { platform: 'wecom-app', agentId: '218', secret: 'app-secret', ...SAMPLE }, NOW);
  await putChannel(db, 'o2', 'wb2', { platform: 'wecom-bot', ...BOT }, NOW);
  await putChannel(db, 'o3', 'wb3', { platform: 'wecom-bot', ...BOT }, NOW);
  await putMember(db, memberRow({ org_id: 'o1', id: 'sec', name: '张书记', role: 'secretary', accounts: { dingtalk: 'dt-sec' } }), NOW);
  await putMember(db, memberRow({ org_id: 'o1', id: 'm1', name: '王一', accounts: { dingtalk: 'dt-m1' } }), NOW);
  await putMember(db, memberRow({ org_id: 'o2', id: 'sec', name: '李书记', role: 'secretary', accounts: { wecom: 'wc-sec' } }), NOW);
  await putMember(db, memberRow({ org_id: 'o3', id: 'sec', name: '赵书记', role: 'secretary', accounts: { wecom: 'wb-sec' } }), NOW);
  await putChannel(db, 'o4', 'dt4', { platform: 'dingtalk', appKey: 'key4', appSecret: DT_SECRET, robotCode: 'robot4' }, NOW);
  await putChannel(db, 'o4', 'wa4', { platform: 'wecom-app', agentId: '218', secret: 'app-secret', ...SAMPLE }, NOW);
  const both = {
    org_id: 'o4',
    id: 'sec',
    name: '钱书记',
    role: 'secretary' as const,
    accounts: { dingtalk: 'dt-both', wecom: 'wc-both' },
  };
  await putMember(db, memberRow(both), NOW);
  for (const [org, code, month, topic] of [
    ['o1', 'AAA', 11, '学习全会精神'],
    ['o1', 'QQQ', 8, '三季度党课'],
    ['o2', 'BBB', 11, '研究年度工作'],
    ['o3', 'CCC', 11, '学习条例'],
  ] as const) {
    const meeting = meetingRow({ org_id: org, code, type: 'assembly', starts_at: at(month, 20), topic, created_by: 'sec' });
    await insertMeeting(db, meeting);
    const attendance = { meeting_id: meeting.id, member_id: 'sec', org_id: org, status: 'present' as const, note: null, source: null };
    await putAttendance(db, { ...attendance, at: at(month, 20) }, at(month, 20));
  }
}

/** The one upload and the one file message a 导出 makes, once the worker has sent them. */
async function sentFile(fake: FakePlatform, upload: string, send: string): Promise<{ upload: RecordedRequest; send: RecordedRequest }> {
  const [sent] = await fake.waitFor((r) => r.path === send, 15_000);
  const uploads = fake.requests.filter((r) => r.path === upload);
  expect(uploads).toHaveLength(1);
  return { upload: uploads[0]!, send: sent! };
}

async function xlsxTitle(bytes: Buffer): Promise<{ title: string; sheets: string[]; meetings: string[] }> {
  const book = new ExcelJS.Workbook();
  await book.xlsx.load(bytes as unknown as ArrayBuffer);
  const sheet = book.getWorksheet('会议')!;
  const meetings: string[] = [];
  sheet.eachRow((row, n) => {
    if (n > 2) meetings.push(String(row.getCell(3).value));
  });
  return { title: String(sheet.getCell('A1').value), sheets: book.worksheets.map((s) => s.name), meetings };
}

describe.each(DIALECTS)('导出 on %s', (dialect) => {
  let fake: FakePlatform;
  let t: TestApp;
  let workers: { close(): Promise<void> };

  beforeAll(async () => {
    fake = await startFakePlatform();
    const api = { WECOM_API_BASE: fake.url, DINGTALK_OAPI_BASE: fake.url, DINGTALK_API_BASE: fake.url, PUBLIC_URL };
    t = await startTestApp(dialect, { now: NOW, env: api });
    await seed(t);
    workers = await startWorkers({ ...t });
  });
  afterAll(async () => {
    await workers?.close();
    await t?.close();
    await fake?.close();
  });

  it('through DingTalk: uploads this quarter’s ledger and sends it as a file message to the secretary only', async () => {
    fake.clear();
    fake.on('POST', '/media/upload', () => ({ json: { errcode: 0, errmsg: 'ok', type: 'file', media_id: '@lADPDt-media' } }));
    const reply = await viaDingtalk(t, 'dt1', 'dt-sec', '导出', { direct: true });
    expect(reply).toBe('正在生成「第一党支部2026年第四季度三会一课台账.xlsx」，稍后单独发送给你。');
    const { upload, send } = await sentFile(fake, '/media/upload', '/v1.0/robot/oToMessages/batchSend');

    expect(upload.query).toMatchObject({ type: 'file', access_token: expect.stringMatching(/^ding-oapi-token-/) });
    expect(upload.files).toHaveLength(1);
    const file = upload.files[0]!;
    expect(file.field).toBe('media');
    expect(file.name).toBe('第一党支部2026年第四季度三会一课台账.xlsx');
    const book = await xlsxTitle(file.bytes);
    expect(book.title).toContain('第一党支部');
    expect(book.title).toContain('2026年第四季度');
    expect(book.sheets).toEqual(['会议', '出勤', '请假与补学', '四服务汇报', '五同']);
    expect(book.meetings.some((m) => m.includes('学习全会精神'))).toBe(true);
    expect(book.meetings.some((m) => m.includes('三季度党课'))).toBe(false);

    const body = send.body as { robotCode: string; userIds: string[]; msgKey: string; msgParam: string };
    expect(body.robotCode).toBe('robot1');
    expect(body.userIds).toEqual(['dt-sec']);
    expect(body.msgKey).toBe('sampleFile');
    expect(JSON.parse(body.msgParam)).toEqual({ mediaId: '@lADPDt-media', fileName: file.name, fileType: 'xlsx' });
    // Nothing went to a group, nor to anyone else.
    expect(fake.requests.filter((r) => r.path === '/v1.0/robot/groupMessages/send' || r.path === '/robot/send')).toEqual([]);
  });

  it('上季度 is the last quarter’s ledger; a code is that meeting’s 会议记录 as .docx', async () => {
    fake.clear();
    expect(await viaDingtalk(t, 'dt1', 'dt-sec', '导出 上季度', { direct: true })).toContain('2026年第三季度三会一课台账.xlsx');
    const last = await sentFile(fake, '/media/upload', '/v1.0/robot/oToMessages/batchSend');
    expect((await xlsxTitle(last.upload.files[0]!.bytes)).meetings.some((m) => m.includes('三季度党课'))).toBe(true);

    fake.clear();
    expect(await viaDingtalk(t, 'dt1', 'dt-sec', '导出 aaa', { direct: true })).toContain('「第一党支部支部党员大会记录（AAA）.docx」');
    const record = await sentFile(fake, '/media/upload', '/v1.0/robot/oToMessages/batchSend');
    const file = record.upload.files[0]!;
    expect(file.name).toBe('第一党支部支部党员大会记录（AAA）.docx');
    const xml = await (await JSZip.loadAsync(file.bytes)).file('word/document.xml')!.async('string');
    expect(xml).toContain('党员大会记录');
    expect(xml).toContain('学习全会精神');
    expect(xml).toContain('张书记');
    const param = JSON.parse((record.send.body as { msgParam: string }).msgParam) as { fileType: string };
    expect(param.fileType).toBe('docx');
  });

  it('through the WeCom self-built app: media/upload, then a file message to the secretary only', async () => {
    fake.clear();
    fake.on('POST', '/cgi-bin/media/upload', () => ({ json: { errcode: 0, errmsg: 'ok', type: 'file', media_id: '1G6nrLmr5EC3MM' } }));
    const reply = await viaWecomApp(t, 'wa2', 'wc-sec', '导出 本季度');
    expect(reply).toBe('正在生成「第一党支部2026年第四季度三会一课台账.xlsx」，稍后单独发送给你。');
    const { upload, send } = await sentFile(fake, '/cgi-bin/media/upload', '/cgi-bin/message/send');
    expect(upload.query).toMatchObject({ type: 'file', access_token: expect.stringMatching(/^tok-/) });
    const file = upload.files[0]!;
    expect([file.field, file.name]).toEqual(['media', '第一党支部2026年第四季度三会一课台账.xlsx']);
    expect((await xlsxTitle(file.bytes)).meetings.some((m) => m.includes('研究年度工作'))).toBe(true);
    expect(send.body).toEqual({ touser: 'wc-sec', msgtype: 'file', agentid: 218, file: { media_id: '1G6nrLmr5EC3MM' } });
    expect(fake.requests.filter((r) => r.path === '/cgi-bin/webhook/send')).toEqual([]);
  });

  it('asked through the WeCom AI bot, the file still comes through the self-built app', async () => {
    fake.clear();
    const reply = await viaWecomBot(t, 'wb2', BOT, 'wc-sec', '导出', { direct: true });
    expect(reply).toContain('稍后单独发送给你');
    const { send } = await sentFile(fake, '/cgi-bin/media/upload', '/cgi-bin/message/send');
    expect(send.body).toMatchObject({ touser: 'wc-sec', msgtype: 'file' });
  });

  it('where no channel can reach the secretary privately she is told so, and no link is made', async () => {
    fake.clear();
    const reply = await viaWecomBot(t, 'wb3', BOT, 'wb-sec', '导出', { direct: true });
    expect(reply).toContain('暂时无法把文件发给你');
    expect(reply).not.toMatch(/https?:/);
    expect(await t.db.selectFrom('one_time_links').selectAll().execute()).toEqual([]);
    await new Promise((r) => setTimeout(r, 300));
    expect(fake.requests).toEqual([]);
  });

  it('answers through the app it was asked in: a member with both accounts asking in the WeCom app gets no DingTalk message', async () => {
    fake.clear();
    fake.on('POST', '/cgi-bin/media/upload', () => ({ json: { errcode: 0, errmsg: 'ok', type: 'file', media_id: 'm-both' } }));
    expect(await viaWecomApp(t, 'wa4', 'wc-both', '导出')).toContain('稍后单独发送给你');
    const { send } = await sentFile(fake, '/cgi-bin/media/upload', '/cgi-bin/message/send');
    expect(send.body).toMatchObject({ touser: 'wc-both', msgtype: 'file' });
    expect(fake.requests.filter((r) => r.path.startsWith('/v1.0/') || r.path === '/media/upload')).toEqual([]);
    // Asked on DingTalk, the same member gets it there.
    fake.clear();
    fake.on('POST', '/media/upload', () => ({ json: { errcode: 0, errmsg: 'ok', type: 'file', media_id: '@both' } }));
    expect(await viaDingtalk(t, 'dt4', 'dt-both', '导出', { direct: true })).toContain('稍后单独发送给你');
    const viaDt = await sentFile(fake, '/media/upload', '/v1.0/robot/oToMessages/batchSend');
    expect((viaDt.send.body as { userIds: string[] }).userIds).toEqual(['dt-both']);
    expect(fake.requests.filter((r) => r.path === '/cgi-bin/message/send')).toEqual([]);
  });

  it('fails a file whose meeting is gone permanently, before any upload', async () => {
    fake.clear();
    const clients = new PlatformClients(t);
    const target = { kind: 'member' as const, channelId: 'dt1', memberId: 'sec' };
    const recipe = { kind: 'record' as const, branchId: 'b1', code: 'ZZZ', asOf: NOW };
    const result = await deliver(t, clients, target, { title: 'x', markdown: 'x', file: recipe }, 'export-gone');
    expect(result).toEqual({ delivered: false, kind: 'permanent', reason: 'the record of branch b1 to send no longer exists' });
    expect(fake.requests).toEqual([]);
  });

  it('is refused in a group, to a member, for an unknown code or period, and stores nothing', async () => {
    const before = await countRows(t.db);
    fake.clear();
    expect(await viaDingtalk(t, 'dt1', 'dt-sec', '导出')).toContain('「导出」只在私聊中回复');
    expect(await viaDingtalk(t, 'dt1', 'dt-m1', '导出', { direct: true })).toContain('只有支部书记可以使用这条命令');
    expect(await viaDingtalk(t, 'dt1', 'dt-sec', '导出 ZZZ', { direct: true })).toContain('本支部没有编号为 ZZZ 的会议');
    expect(await viaDingtalk(t, 'dt1', 'dt-sec', '导出 本年', { direct: true })).toContain('看不懂要导出的「本年」');
    const { inbound_events: _events, ...after } = await countRows(t.db);
    const { inbound_events: _before, ...rest } = before;
    expect(after).toEqual(rest);
    await new Promise((r) => setTimeout(r, 300));
    expect(fake.requests.filter((r) => r.path === '/media/upload')).toEqual([]);
  });
});

describe.each(DIALECTS)('导出 without PUBLIC_URL on %s', (dialect) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp(dialect, { now: NOW });
    await seed(t);
  });
  afterAll(() => t?.close());

  it('says that nothing can send the file, and stores no link', async () => {
    const reply = await viaWecomBot(t, 'wb3', BOT, 'wb-sec', '导出', { direct: true });
    expect(reply).toContain('暂时无法把文件发给你');
    expect(await t.db.selectFrom('one_time_links').selectAll().execute()).toEqual([]);
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { putBranch } from '../db/branches.ts';
import { putChannel } from '../db/channels.ts';
import { putMember } from '../db/members.ts';
import { putOrg } from '../db/orgs.ts';
import { startWorkers } from '../jobs/workers.ts';
import type { OutboundMessage } from '../src/domain/outbound.ts';
import type { Meeting } from '../src/domain/records.ts';
import { cardTaskId, meetingCard } from '../src/domain/cards.ts';
import type { ReminderKind } from '../src/domain/records.ts';
import { reminderNotice } from '../src/domain/reminders.ts';
import { cardParams } from '../src/platforms/dingtalk/card.ts';
import { deliver } from '../src/platforms/deliver.ts';
import { adapterFor } from '../src/platforms/index.ts';
import { PlatformClients } from '../src/platforms/shared/clients.ts';
import { type TestApp, startTestApp } from './helpers/app.ts';
import { DIALECTS, memberRow } from './helpers/db.ts';
import { dingtalkCallback } from './helpers/dingtalk.ts';
import { type FakePlatform, type RecordedRequest, startFakePlatform } from './helpers/fake-platform.ts';
import { type StreamGateway, attachStreamGateway, cardCallback } from './helpers/fake-stream-gateway.ts';
import { Holders } from './helpers/holders.ts';

// Meeting cards on DingTalk, end to end: 安排 over Stream, the reminders pushed by the workers as
// interactive cards (createAndDeliver) where the channel has a card template and as markdown where
// it has none; a member's press of 签到 or 请假 over Stream is her typed command, answered in the
// ACK with her own view of the card; a connection handed over between push and press loses nothing.
// The app robot's pushes, which cannot @-mention, name no one.

// 14:59:56 in Shanghai: a meeting 安排'd for 15:00 gets its reminder (2 s before) and its start
// notice within seconds of real time, since the clock stands still and delays are counted from it.
const NOW = Date.UTC(2026, 11, 8, 6, 59, 56);
const GROUP = 'cidCards==';
const PLAIN = 'cidPlain==';
const ROBOT_GROUP = 'cidRobot==';
const TEMPLATE = 'a1b2c3d4-meeting-card.schema';
const CREATE = '/v1.0/card/instances/createAndDeliver';

async function seed(t: TestApp) {
  await putOrg(t.db, { id: 'o1', name: '机关工委', timezone: 'Asia/Shanghai', digest_cron: null }, NOW);
  const stream = { platform: 'dingtalk', mode: 'stream' } as const;
  await putChannel(t.db, 'o1', 'dc', { ...stream, appKey: 'kc', appSecret: 'sc', robotCode: 'rc', cardTemplateId: TEMPLATE }, NOW);
  await putChannel(t.db, 'o1', 'dp', { ...stream, appKey: 'kp', appSecret: 'sp', robotCode: 'rp' }, NOW);
  await putBranch(t.db, 'o1', 'b1', '第一党支部', [{ channel_id: 'dc', chat_id: GROUP, webhook: null, secret: null }], NOW);
  await putBranch(t.db, 'o1', 'b2', '第二党支部', [{ channel_id: 'dp', chat_id: PLAIN, webhook: null, secret: null }], NOW);
  await putBranch(t.db, 'o1', 'b3', '第三党支部', [{ channel_id: 'dc', chat_id: ROBOT_GROUP, webhook: 'robot-key-3', secret: null }], NOW);
  const roster: [string, string, string, 'secretary' | 'member'][] = [
    ['sec', '张书记', 'b1', 'secretary'],
    ['m1', '王一', 'b1', 'member'],
    ['m2', '李二', 'b1', 'member'],
    ['sec2', '赵书记', 'b2', 'secretary'],
    ['p1', '钱三', 'b2', 'member'],
  ];
  for (const [id, name, branch, role] of roster) {
    await putMember(t.db, memberRow({ org_id: 'o1', id, name, branch_id: branch, role, accounts: { dingtalk: `dt-${id}` } }), NOW);
  }
}

type CardBody = { outTrackId: string; openSpaceId: string; cardData: { cardParamMap: Record<string, string> } };
type Update = {
  userPrivateData: { cardParamMap: Record<string, string> };
  privateData: Record<string, { cardParamMap: Record<string, string> }>;
};

/** A task id of this notice and chat, whatever send it was made for. */
const taskFor = (kind: ReminderKind, meetingId: string, chat: string) =>
  expect.stringMatching(new RegExp(`^${cardTaskId({ kind, meetingId }, chat, '').replace(/-[0-9a-f]{8}$/, '')}-[0-9a-f]{8}$`));

describe.each(DIALECTS)('meeting cards on DingTalk on %s', (dialect) => {
  let fake: FakePlatform;
  let gateway: StreamGateway;
  let t: TestApp;
  let workers: { close(): Promise<void> };
  const holders = new Holders(() => t);
  const meetings: Record<'today' | 'tomorrow', Meeting | undefined> = { today: undefined, tomorrow: undefined };

  beforeAll(async () => {
    fake = await startFakePlatform();
    gateway = attachStreamGateway(fake);
    t = await startTestApp(dialect, {
      now: NOW,
      env: { DINGTALK_API_BASE: fake.url, DINGTALK_OAPI_BASE: fake.url, REMINDER_OFFSETS: '2s', ABSENT_NUDGE_AFTER: '1h' },
    });
    await seed(t);
    workers = await startWorkers({ ...t });
    const first = holder();
    await first.start();
    await gateway.waitFor(() => first.connected('dc') && first.connected('dp'));
  });
  afterAll(async () => {
    await holders.stopAll();
    await workers?.close();
    await t?.close();
    await fake?.close();
  });

  const holder = () => holders.make();
  const cards = (chat: string) =>
    fake.requests
      .filter(
        (r) => r.path === '/v1.0/card/instances/createAndDeliver' && (r.body as CardBody).openSpaceId === `dtv1.card//IM_GROUP.${chat}`,
      )
      .map((r) => r.body as CardBody);
  const markdownTo = (chat: string) =>
    fake.requests
      .filter((r) => r.path === '/v1.0/robot/groupMessages/send' && (r.body as { openConversationId: string }).openConversationId === chat)
      .map((r) => JSON.parse((r.body as { msgParam: string }).msgParam) as { title: string; text: string });
  const sessionReplies = (session: string) =>
    fake.requests
      .filter((r) => r.path === '/robot/sendBySession' && r.query.session === session)
      .map((r) => (r.body as { markdown: { text: string } }).markdown.text);
  /** A line in a group or one-to-one, as the Stream client of `to` gets it; resolves with the reply's text. */
  const say = async (to: string, sender: string, text: string, extra: Record<string, unknown> = {}) => {
    const session = `${sender}-${fake.requests.length}`;
    const body = dingtalkCallback(text, {
      senderStaffId: sender,
      sessionWebhook: `${fake.url}/robot/sendBySession?session=${session}`,
      sessionWebhookExpiredTime: NOW + 3_600_000,
      ...extra,
    });
    gateway.pushRobotMessage(body, undefined, to);
    await fake.waitFor((r) => r.path === '/robot/sendBySession' && r.query.session === session, 10_000);
    return sessionReplies(session)[0]!;
  };
  const schedule = async (to: string, sender: string, chat: string, when: string) => {
    const reply = await say(to, sender, `@同心 安排 党员大会 ${when} 议题 研究年度工作`, { conversationId: chat });
    const code = /（([A-Z0-9]{3})）/.exec(reply)?.[1];
    if (!code) throw new Error(`not scheduled: ${reply}`);
    return t.db
      .selectFrom('meetings')
      .selectAll()
      .where('code', '=', code)
      .executeTakeFirstOrThrow() as Promise<unknown> as Promise<Meeting>;
  };
  /** Presses a button as `userId`; resolves with the ACK's answer. */
  const press = async (userId: string, action: 'checkin' | 'leave', outTrackId: string, messageId?: string): Promise<Update | null> => {
    const id = gateway.pushCardCallback(cardCallback({ outTrackId, userId, action, spaceId: GROUP }), messageId, 'kc');
    await gateway.waitFor(() => gateway.received.filter((f) => f.headers?.messageId === id).length > (messageId ? 1 : 0));
    const ack = gateway.received.filter((f) => f.headers?.messageId === id).at(-1)!;
    return (JSON.parse(ack.data!) as { response: Update | null }).response;
  };
  const attendance = (meeting: Meeting) =>
    t.db
      .selectFrom('attendance')
      .select(['member_id', 'status', 'note'])
      .where('meeting_id', '=', meeting.id)
      .orderBy('member_id')
      .execute();

  it('安排 where the channel has a card template: the reminder and the start notice go out as cards with buttons', async () => {
    const today = await schedule('kc', 'dt-sec', GROUP, '今天下午3点');
    meetings.today = today;
    await fake.waitFor((r) => r.path === '/v1.0/card/instances/createAndDeliver', 15_000, 2);
    const [remind, start] = cards(GROUP);
    const common = {
      cardTemplateId: TEMPLATE,
      callbackType: 'STREAM',
      imGroupOpenSpaceModel: { supportForward: false },
      openSpaceId: `dtv1.card//IM_GROUP.${GROUP}`,
      imGroupOpenDeliverModel: { robotCode: 'rc' },
    };
    expect(remind).toEqual({
      ...common,
      outTrackId: taskFor('remind', today.id, GROUP),
      cardData: {
        cardParamMap: {
          lastMessage: '会议提醒',
          title: '会议提醒',
          facts: expect.stringContaining(`**编号**：${today.code}`),
          note: expect.stringMatching(/^不能参加的同志请点「请假」，也可在群里发送「@.+ 请假 [A-Z0-9]{3} 事由」。$/),
          showCheckin: 'true',
          showLeave: 'true',
        },
      },
    });
    expect(remind!.cardData.cardParamMap.facts).toContain('**议题**：研究年度工作');
    expect(start).toMatchObject({
      ...common,
      outTrackId: taskFor('start', today.id, GROUP),
      cardData: { cardParamMap: { title: '会议开始', showCheckin: 'true' } },
    });
    const sent = fake.requests.find((r) => r.path === '/v1.0/card/instances/createAndDeliver')!;
    expect(sent.headers['x-acs-dingtalk-access-token']).toMatch(/^ding-token-/);
    // Cards only: no markdown to that group.
    expect(markdownTo(GROUP)).toEqual([]);
    const health = (await (await t.admin('GET', '/admin/health')).json()) as { quota: { kind: string; used: number }[] };
    expect(health.quota.find((q) => q.kind === 'api')?.used).toBe(2);
  });

  it('without a template the same notices are markdown, as before', async () => {
    const plain = await schedule('kp', 'dt-sec2', PLAIN, '今天下午3点');
    await fake.waitFor((r) => r.path === '/v1.0/robot/groupMessages/send', 15_000, 2);
    expect(markdownTo(PLAIN).map((m) => m.title)).toEqual(['会议提醒', '会议开始']);
    expect(markdownTo(PLAIN)[0]!.text).toContain(plain.code);
    expect(cards(PLAIN)).toEqual([]);
  });

  it('签到 pressed: one attendance row, her card says 已签到; pressed again or sent again, still one', async () => {
    const today = meetings.today!;
    const task = cardTaskId({ kind: 'start', meetingId: today.id }, GROUP, 'send-1');
    const first = await press('dt-m1', 'checkin', task);
    expect(first).toMatchObject({
      cardUpdateOptions: { updateCardDataByKey: true, updatePrivateDataByKey: true },
      userPrivateData: { cardParamMap: { note: '已签到', title: '会议开始' } },
      privateData: { 'dt-m1': { cardParamMap: { note: '已签到' } } },
    });
    expect(await attendance(today)).toEqual([{ member_id: 'm1', status: 'present', note: null }]);
    const again = await press('dt-m1', 'checkin', task);
    expect(again?.privateData['dt-m1']?.cardParamMap.note).toBe('已签到');
    // DingTalk sends a press again under its messageId when the ACK was lost.
    const resent = gateway.pushCardCallback(cardCallback({ outTrackId: task, userId: 'dt-m1', action: 'checkin' }), 'press-twice', 'kc');
    await gateway.waitFor(() => gateway.ackOf(resent) !== undefined);
    await press('dt-m1', 'checkin', task, 'press-twice');
    expect(await attendance(today)).toEqual([{ member_id: 'm1', status: 'present', note: null }]);
  });

  it('before the window, or pressed by someone not in the roster: nothing recorded, the reason on her card', async () => {
    const tomorrow = await schedule('kc', 'dt-sec', GROUP, '明天下午3点');
    meetings.tomorrow = tomorrow;
    const early = await press('dt-m1', 'checkin', cardTaskId({ kind: 'remind', meetingId: tomorrow.id }, GROUP, 'send-1'));
    expect(early?.userPrivateData.cardParamMap.note).toMatch(/^签到未成功：签到还没开始/);
    expect(await attendance(tomorrow)).toEqual([]);
    const stranger = await press('dt-nobody', 'checkin', cardTaskId({ kind: 'start', meetingId: meetings.today!.id }, GROUP, 'send-1'));
    expect(stranger?.privateData['dt-nobody']?.cardParamMap.note).toMatch(/^签到未成功/);
    expect(await attendance(meetings.today!)).toEqual([{ member_id: 'm1', status: 'present', note: null }]);
    // A card the service never made answers nothing on the card, and records nothing.
    expect(await press('dt-m1', 'checkin', 'tx-start-zzzzzzzzzzzzzzzzzzzzz-0123456789')).toBeNull();
  });

  it('请假 pressed: the leave at once, the question privately, her next one-to-one line the reason', async () => {
    const tomorrow = meetings.tomorrow!;
    const pressed = await press('dt-m2', 'leave', cardTaskId({ kind: 'remind', meetingId: tomorrow.id }, GROUP, 'send-1'));
    expect(pressed?.userPrivateData.cardParamMap.note).toBe('已请假');
    expect(await attendance(tomorrow)).toEqual([{ member_id: 'm2', status: 'leave', note: null }]);
    const [asked] = await fake.waitFor((r) => r.path === '/v1.0/robot/oToMessages/batchSend', 15_000);
    const body = asked!.body as { robotCode: string; userIds: string[]; msgParam: string };
    expect(body).toMatchObject({ robotCode: 'rc', userIds: ['dt-m2'] });
    expect(JSON.parse(body.msgParam).text).toContain('请直接回复请假事由');
    const reply = await say('kc', 'dt-m2', '外出执行防汛任务', { conversationType: '1', conversationId: 'cidPrivateM2' });
    expect(reply).toContain('事由：外出执行防汛任务');
    expect(await attendance(tomorrow)).toEqual([{ member_id: 'm2', status: 'leave', note: '外出执行防汛任务' }]);
  });

  it('a connection handed over between the push and the press loses nothing', async () => {
    const [first] = holders.made;
    const second = holder();
    await second.start();
    await first!.stop();
    await gateway.waitFor(() => second.connected('dc'), 5_000);
    const answer = await press('dt-sec', 'checkin', cardTaskId({ kind: 'start', meetingId: meetings.today!.id }, GROUP, 'send-1'));
    expect(answer?.privateData['dt-sec']?.cardParamMap.note).toBe('已签到');
    expect(await attendance(meetings.today!)).toEqual([
      { member_id: 'm1', status: 'present', note: null },
      { member_id: 'sec', status: 'present', note: null },
    ]);
  });

  describe('sent straight through the adapter', () => {
    const send = (chat: string, channelId: string, message: OutboundMessage, key: string) =>
      deliver(t, new PlatformClients(t), { kind: 'chat', channelId, chatId: chat }, message, key);
    const nudge = () => reminderNotice('nudge', meetings.today!, 'Asia/Shanghai', NOW, 30 * 60_000, [{ id: 'm1' }, { id: 'm2' }])!;
    const cardRequests = (since: number) => fake.requests.slice(since).filter((r) => r.path === '/v1.0/card/instances/createAndDeliver');

    it('a retried card is sent under the same outTrackId; one DingTalk made before is not posted again', async () => {
      const notice = reminderNotice('start', meetings.tomorrow!, 'Asia/Shanghai', NOW, 30 * 60_000)!;
      const before = fake.requests.length;
      const plainBefore = markdownTo(GROUP).length;
      // Made and delivered, its answer lost: the retry is refused as existing, which is that card.
      fake.enqueue('POST', CREATE, { lost: true });
      expect(await send(GROUP, 'dc', notice, 'k-1')).toMatchObject({ delivered: false, kind: 'retry' });
      expect(await send(GROUP, 'dc', notice, 'k-1')).toEqual({ delivered: true });
      const ids = cardRequests(before).map((r) => (r.body as CardBody).outTrackId);
      expect(ids).toEqual([cardTaskId({ kind: 'start', meetingId: meetings.tomorrow!.id }, GROUP, 'k-1'), ids[0]]);
      expect(markdownTo(GROUP)).toHaveLength(plainBefore);
    });

    it('a card DingTalk will not deliver leaves the notice as markdown, once; any other refusal is the send’s', async () => {
      const notice = reminderNotice('start', meetings.tomorrow!, 'Asia/Shanghai', NOW, 30 * 60_000)!;
      const plainBefore = markdownTo(GROUP).length;
      const refused = (status: number, code: string) => ({ status, json: { code, message: code } });
      fake.enqueue('POST', CREATE, refused(400, 'param.templateUnpublished'));
      expect(await send(GROUP, 'dc', notice, 'k-2')).toEqual({ delivered: true });
      fake.enqueue('POST', CREATE, refused(403, 'Forbidden.AccessDenied.AccessTokenPermissionDenied'));
      expect(await send(GROUP, 'dc', notice, 'k-6')).toEqual({ delivered: true });
      expect(
        markdownTo(GROUP)
          .slice(plainBefore)
          .map((m) => m.title),
      ).toEqual(['会议开始', '会议开始']);

      // Made and not delivered, and its markdown refused for now: the retry finds the card made and
      // sends the markdown.
      const undelivered = { json: { success: true, result: { deliverResults: [{ spaceType: 'IM_GROUP', success: false }] } } };
      fake.enqueue('POST', CREATE, undelivered, refused(400, 'param.cardAlreadyExist'));
      fake.enqueue('POST', '/v1.0/robot/groupMessages/send', { status: 503, text: 'Service Unavailable' });
      expect(await send(GROUP, 'dc', notice, 'k-7')).toMatchObject({ delivered: false, kind: 'retry' });
      expect(await send(GROUP, 'dc', notice, 'k-7')).toEqual({ delivered: true });
      expect(markdownTo(GROUP).slice(plainBefore)).toHaveLength(4);

      fake.enqueue('POST', CREATE, refused(400, 'param.contentUnsafe'));
      expect(await send(GROUP, 'dc', notice, 'k-8')).toMatchObject({ delivered: false, kind: 'permanent' });
      expect(markdownTo(GROUP).slice(plainBefore)).toHaveLength(4);
    });

    it('a nudge the app robot posts names no one: the count instead of account ids', async () => {
      expect(await send(PLAIN, 'dp', nudge(), 'k-3')).toEqual({ delivered: true });
      const text = markdownTo(PLAIN).at(-1)!.text;
      expect(text).toMatch(/尚有 2 位同志未签到。$/);
      expect(text).not.toMatch(/dt-m\d/);
    });

    it('a nudge is a card whose delivery @-mentions those not checked in, where the group has its own robot or not', async () => {
      const before = fake.requests.length;
      const robotBefore = fake.requests.filter((r) => r.path === '/robot/send').length;
      expect(await send(GROUP, 'dc', nudge(), 'k-4')).toEqual({ delivered: true });
      expect(await send(ROBOT_GROUP, 'dc', nudge(), 'k-5')).toEqual({ delivered: true });
      const sent = cardRequests(before).map((r) => r.body as CardBody & { imGroupOpenDeliverModel: Record<string, unknown> });
      expect(sent.map((c) => c.openSpaceId)).toEqual([`dtv1.card//IM_GROUP.${GROUP}`, `dtv1.card//IM_GROUP.${ROBOT_GROUP}`]);
      for (const card of sent) {
        expect(card.imGroupOpenDeliverModel).toEqual({ robotCode: 'rc', atUserIds: { 'dt-m1': '王一', 'dt-m2': '李二' } });
        // Its text names and counts no one and shows no account: the @-mentions are the delivery's.
        expect(card.cardData.cardParamMap.note).toBe('到会的同志请点「签到」。');
        expect(JSON.stringify(card.cardData)).not.toMatch(/dt-m\d|王一|李二/);
      }
      expect(fake.requests.filter((r) => r.path === '/robot/send')).toHaveLength(robotBefore);

      // Where DingTalk will not deliver the card, the group's own robot @-mentions them in markdown.
      fake.enqueue('POST', CREATE, { status: 400, json: { code: 'param.templateUnpublished', message: '模板未发布' } });
      expect(await send(ROBOT_GROUP, 'dc', nudge(), 'k-9')).toEqual({ delivered: true });
      const robot = fake.requests.filter((r: RecordedRequest) => r.path === '/robot/send').at(-1)!;
      expect(robot.query.access_token).toBe('robot-key-3');
      const pushed = robot.body as { markdown: { text: string }; at: { atUserIds: string[] } };
      expect(pushed.at.atUserIds.sort()).toEqual(['dt-m1', 'dt-m2']);
      expect(pushed.markdown.text).toContain('@dt-m1');
    });
  });
});

describe('the DingTalk meeting card', () => {
  it('carries user text escaped in its markdown facts, plain in its note, and its buttons as "true"/"false"', () => {
    const meeting = {
      id: 'm0',
      type: 'assembly',
      topic: '**加粗** @all',
      code: 'K7Q',
      starts_at: NOW + 3_600_000,
      location: '[链接](x)',
    } as const;
    const params = cardParams(meetingCard('remind', meeting, 'Asia/Shanghai', NOW, 30 * 60_000, '请点「请假」'));
    expect(params.facts).toContain('**议题**：＊＊加粗＊＊ @\u200ball');
    expect(params.facts).toContain('**地点**：［链接］(x)');
    expect(params).toMatchObject({ title: '会议提醒', note: '请点「请假」', showCheckin: 'false', showLeave: 'true' });
  });

  it('is offered where the console looks: set with a template in stream mode only', () => {
    const channel = (extra: Record<string, string>) =>
      adapterFor({ id: 'd', orgId: 'o', config: { platform: 'dingtalk', appKey: 'k', appSecret: 's', robotCode: 'r', ...extra } });
    expect(channel({ mode: 'stream', cardTemplateId: TEMPLATE }).buttons).toMatchObject({ set: true });
    expect(channel({ cardTemplateId: TEMPLATE }).buttons).toEqual({
      set: false,
      how: '已设置卡片模板，但按钮需 Stream 模式：提醒仍为文字',
    });
    expect(channel({ mode: 'stream' }).buttons).toEqual({ set: false, how: '未设置卡片模板：提醒为文字' });
  });
});

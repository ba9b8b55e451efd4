import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { putBranch } from '../db/branches.ts';
import { putChannel } from '../db/channels.ts';
import { putMember } from '../db/members.ts';
import { putOrg } from '../db/orgs.ts';
import { enqueueDelivery } from '../jobs/outbound.ts';
import { startWorkers } from '../jobs/workers.ts';
import { cardTaskId, madeForChat, meetingCard, parseCardTask } from '../src/domain/cards.ts';
import type { OutboundMessage, Target } from '../src/domain/outbound.ts';
import { deliver } from '../src/platforms/deliver.ts';
import type { LongConnections } from '../src/platforms/long-connections.ts';
import { PlatformClients } from '../src/platforms/shared/clients.ts';
import { QuotaCounter } from '../src/platforms/shared/quota.ts';
import { type TestApp, startTestApp } from './helpers/app.ts';
import { DIALECTS, countOf, memberRow } from './helpers/db.ts';
import { eventually } from './helpers/eventually.ts';
import { type AibotServer, attachAibotServer } from './helpers/fake-aibot-server.ts';
import { type FakePlatform, type RecordedRequest, startFakePlatform } from './helpers/fake-platform.ts';
import { Holders } from './helpers/holders.ts';
import { botCallback, cardPressEvent } from './helpers/wecom.ts';

// Buttons on a WeCom AI bot's long connection, the whole service: a group the bot reaches only over
// its socket (no group-robot key) gets a meeting's notice as a card with buttons, pushed from the
// worker through the process holding the socket; a press is the typed command, and the card is
// updated for the presser alone. Pushes wait for a holder rather than get lost, and a push over the
// socket names nobody.

const BOT = { botId: 'aib-buttons', secret: 'aibot-secret-buttons' };
/** 14:59:58 in Shanghai: a meeting 安排'd for 15:00 has its start notice due in two seconds. */
const T0 = Date.UTC(2026, 10, 27, 6, 59, 58);
const GROUP = 'wrkGroupA';

type Frame = AibotServer['received'][number];
type CardBody = {
  chatid: string;
  msgtype: 'template_card';
  template_card: { task_id: string; sub_title_text?: string; main_title: { title: string }; button_list: { key: string }[] };
};
type UpdateBody = { response_type: string; userids: string[]; template_card: CardBody['template_card'] };

describe.each(DIALECTS)('buttons over the AI bot’s long connection on %s', (dialect) => {
  let fake: FakePlatform;
  let server: AibotServer;
  let t: TestApp;
  const holders = new Holders(() => t);
  let holder: LongConnections;
  let workers: { close(): Promise<void> };
  let meetingId = '';
  let startTask = '';

  const hold = async () => {
    holder = holders.make();
    await holder.start();
    await server.waitFor(() => holder.connected('ws1'));
  };
  /** Says `text` as `userid` (in the group, or privately) and returns the bot's answer. */
  const say = async (text: string, userid: string, privately = false) => {
    const reqId = server.push(botCallback(text, { from: { userid }, ...(privately ? { chattype: 'single', chatid: undefined } : {}) }));
    await server.waitFor(() => server.frames('aibot_respond_msg').some((f) => f.headers.req_id === reqId));
    const frame = server.frames('aibot_respond_msg').find((f) => f.headers.req_id === reqId)!;
    return (frame.body as { stream: { content: string } }).stream.content;
  };
  /** Presses a card's button as `userid` and returns the card's update for her. */
  const press = async (action: string, taskId: string, userid: string) => {
    const reqId = server.pushEvent(cardPressEvent(action, taskId, { userid }));
    await server.waitFor(() => server.frames('aibot_respond_update_msg').some((f) => f.headers.req_id === reqId));
    return server.frames('aibot_respond_update_msg').find((f) => f.headers.req_id === reqId)!.body as UpdateBody;
  };
  const pushes = () => server.frames('aibot_send_msg');
  const attendance = (id: string) =>
    t.db.selectFrom('attendance').select(['member_id', 'status', 'note']).where('meeting_id', '=', id).orderBy('member_id').execute();
  const meetingOf = async (reply: string) => {
    const code = /会议编号：\*\*([A-Z0-9]{3})\*\*/.exec(reply)![1]!;
    return (await t.db.selectFrom('meetings').select('id').where('code', '=', code).executeTakeFirstOrThrow()).id;
  };

  beforeAll(async () => {
    fake = await startFakePlatform();
    server = attachAibotServer(fake, BOT);
    t = await startTestApp(dialect, { now: T0, env: { WECOM_AIBOT_WS_URL: server.url, WECOM_API_BASE: fake.url } });
    await putOrg(t.db, { id: 'o1', name: '机关工委', timezone: 'Asia/Shanghai', digest_cron: null }, T0);
    await putChannel(t.db, 'o1', 'ws1', { platform: 'wecom-bot', mode: 'websocket', ...BOT, botName: '党建助手' }, T0);
    await putBranch(t.db, 'o1', 'b1', '第一党支部', [{ channel_id: 'ws1', chat_id: GROUP, webhook: null, secret: null }], T0);
    await putBranch(t.db, 'o1', 'b2', '第二党支部', [{ channel_id: 'ws1', chat_id: 'wrkGroupB', webhook: 'key-b2', secret: null }], T0);
    const roster: [string, string, string, 'secretary' | 'member'][] = [
      ['sec', '张书记', 'wc-sec', 'secretary'],
      ['m1', '王一', 'wangwu', 'member'],
      ['m2', '李二', 'lisi', 'member'],
      ['m3', '赵六', 'zhaoliu', 'member'],
    ];
    for (const [id, name, wecom, role] of roster) {
      await putMember(t.db, memberRow({ org_id: 'o1', id, name, role, accounts: { wecom } }), T0);
    }
    workers = await startWorkers({ ...t });
    await hold();
  });
  afterAll(async () => {
    await holders.stopAll();
    await workers?.close();
    await t?.close();
    await fake?.close();
  });

  it('pushes the notice of a meeting 安排 in a group without a robot key over the socket, as a card with buttons', async () => {
    meetingId = await meetingOf(await say('@党建助手 安排 党员大会 今天15:00 议题 学习条例', 'wc-sec'));
    const isCard = (f: Frame) => {
      const task = parseCardTask((f.body as CardBody).template_card?.task_id ?? '');
      return task?.kind === 'start' && task.meetingId === meetingId && madeForChat(task, GROUP);
    };
    await server.waitFor(() => pushes().some(isCard), 15_000);
    const card = pushes().find(isCard)!.body as CardBody;
    startTask = card.template_card.task_id;
    expect(card).toMatchObject({ chatid: GROUP, msgtype: 'template_card', template_card: { main_title: { title: '会议开始' } } });
    expect(card.template_card.button_list.map((b) => b.key)).toEqual(['checkin', 'leave']);
    expect(fake.requests.filter((r) => r.path === '/cgi-bin/webhook/send')).toEqual([]);
    // Counted as a call, like any other, once the holder has answered.
    const quota = new QuotaCounter({ ...t, prefix: t.config.QUEUE_PREFIX });
    await eventually(async () => {
      expect(await quota.usage('o1', 'Asia/Shanghai')).toContainEqual(expect.objectContaining({ platform: 'wecom', kind: 'api', used: 1 }));
    });
  });

  it('a press after the socket changed hands is 签到: one row, as typed; the card updated for her alone, pressed twice the same', async () => {
    await holder.stop();
    await server.waitFor(() => server.sockets.size === 0);
    await hold();
    const first = await press('checkin', startTask, 'wangwu');
    expect(first).toMatchObject({ response_type: 'update_template_card', userids: ['wangwu'] });
    expect(first.template_card).toMatchObject({ task_id: startTask, sub_title_text: '已签到' });
    expect(await attendance(meetingId)).toEqual([{ member_id: 'm1', status: 'present', note: null }]);

    const second = await press('checkin', startTask, 'wangwu');
    expect(second.template_card.sub_title_text).toBe('已签到');
    expect(await attendance(meetingId)).toEqual([{ member_id: 'm1', status: 'present', note: null }]);

    // Typed, 签到 records the same row.
    expect(await say('@党建助手 签到', 'lisi')).toContain('李二 已签到');
    expect(await attendance(meetingId)).toEqual([
      { member_id: 'm1', status: 'present', note: null },
      { member_id: 'm2', status: 'present', note: null },
    ]);
  });

  it('a press before check-in opens, or by someone not in the roster, records nothing and says why on her card', async () => {
    const later = await meetingOf(await say('@党建助手 安排 党课 后天15:00', 'wc-sec'));
    const rows = await countOf(t.db, 'attendance');
    const early = await press('checkin', cardTaskId({ kind: 'remind', meetingId: later }, GROUP, 'send-1'), 'wangwu');
    expect(early.userids).toEqual(['wangwu']);
    expect(early.template_card.sub_title_text).toMatch(/^签到未成功：签到还没开始/);
    const stranger = await press('checkin', startTask, 'stranger');
    expect(stranger.userids).toEqual(['stranger']);
    expect(stranger.template_card.sub_title_text).toMatch(/^签到未成功：/);
    expect(await countOf(t.db, 'attendance')).toBe(rows);
  });

  it('请假 by button records the leave, asks her privately over the socket, and takes her next private line as the reason', async () => {
    const update = await press('leave', startTask, 'zhaoliu');
    expect(update.userids).toEqual(['zhaoliu']);
    expect(update.template_card.sub_title_text).toBe('已请假');
    expect((await attendance(meetingId)).find((r) => r.member_id === 'm3')).toEqual({ member_id: 'm3', status: 'leave', note: null });

    const question = (f: Frame) => (f.body as { chatid?: string }).chatid === 'zhaoliu';
    await server.waitFor(() => pushes().some(question), 15_000);
    expect(pushes().find(question)!.body).toEqual({
      chatid: 'zhaoliu',
      msgtype: 'markdown',
      markdown: { content: expect.stringContaining('请直接回复请假事由') },
    });

    await say('家中老人住院', 'zhaoliu', true);
    expect((await attendance(meetingId)).find((r) => r.member_id === 'm3')).toEqual({
      member_id: 'm3',
      status: 'leave',
      note: '家中老人住院',
    });
  });

  describe('sent straight through the adapter', () => {
    const ROBOT_CHAT: Target = { kind: 'chat', channelId: 'ws1', chatId: 'wrkGroupB' };
    const send = (target: Target, message: OutboundMessage, key: string) => deliver(t, new PlatformClients(t), target, message, key);
    const robotPushes = () => fake.requests.filter((r) => r.path === '/cgi-bin/webhook/send').length;
    const startCard = (id: string): OutboundMessage => {
      const meeting = { id, type: 'assembly', topic: null, code: 'K7Q', starts_at: T0, location: null } as const;
      return {
        title: '会议开始',
        markdown: '**会议开始**',
        card: meetingCard('start', meeting, 'Asia/Shanghai', T0, 30 * 60_000, '请点「签到」'),
      };
    };

    it('a push WeCom may have taken is tried again over the socket only, never through the robot; its card refused as taken was posted', async () => {
      const robotBefore = robotPushes();
      const card = startCard('mtgunsure1');
      const task = cardTaskId(card.card!, 'wrkGroupB', 'unsure-1');
      server.answerPushes(null);
      expect(await send(ROBOT_CHAT, card, 'unsure-1')).toEqual({
        delivered: false,
        kind: 'retry',
        reason: 'WeCom did not acknowledge the push in time',
      });
      server.answerPushes(0);
      expect(await send(ROBOT_CHAT, card, 'unsure-1')).toEqual({ delivered: true });
      expect(pushes().filter((f) => (f.body as CardBody).template_card?.task_id === task)).toHaveLength(2);

      // Text has no task id: refused after such an attempt, it waits for the socket.
      const text: OutboundMessage = { title: '通知', markdown: '通知 unsure-2' };
      server.answerPushes(null);
      expect(await send(ROBOT_CHAT, text, 'unsure-2')).toMatchObject({ delivered: false, kind: 'retry' });
      server.answerPushes(-1);
      expect(await send(ROBOT_CHAT, text, 'unsure-2')).toMatchObject({ delivered: false, kind: 'retry', errcode: -1 });
      server.answerPushes(0);
      expect(robotPushes()).toBe(robotBefore);
      // Refused with no such attempt before it, it goes through the robot.
      server.answerPushes(-1);
      expect(await send(ROBOT_CHAT, text, 'unsure-3')).toEqual({ delivered: true });
      server.answerPushes(0);
      expect(robotPushes()).toBe(robotBefore + 1);
    }, 30_000);

    it('a private push over the socket counts once in the quota, as a group push does; one that never reached WeCom does not', async () => {
      const quota = new QuotaCounter({ ...t, prefix: t.config.QUEUE_PREFIX });
      const used = async () =>
        (await quota.usage('o1', 'Asia/Shanghai')).find((u) => u.platform === 'wecom' && u.kind === 'api')?.used ?? 0;
      const member: Target = { kind: 'member', channelId: 'ws1', memberId: 'm1' };
      const before = await used();
      expect(await send(member, { title: '通知', markdown: '私信通知' }, 'private-1')).toEqual({ delivered: true });
      expect(await used()).toBe(before + 1);

      await holder.stop();
      await server.waitFor(() => server.sockets.size === 0);
      expect(await send(member, { title: '通知', markdown: '私信通知' }, 'private-2')).toMatchObject({ delivered: false, kind: 'retry' });
      expect(await used()).toBe(before + 1);
      await hold();
    });

    it('a push WeCom refuses for good is not tried again; one refused for now is', async () => {
      const group: Target = { kind: 'chat', channelId: 'ws1', chatId: GROUP };
      server.answerPushes(42014);
      expect(await send(group, startCard('mtgrefused'), 'refused-1')).toEqual({
        delivered: false,
        kind: 'permanent',
        errcode: 42014,
        reason: 'WeCom refused the push: 42014 invalid',
      });
      server.answerPushes(45009);
      expect(await send(group, startCard('mtgrefused'), 'refused-2')).toMatchObject({
        delivered: false,
        kind: 'rate-limited',
        errcode: 45009,
      });
      server.answerPushes(0);
    });
  });

  it('with no process holding the socket a push is retried, not lost, and names nobody; a chat with a robot key gets it through the robot', async () => {
    await holder.stop();
    await server.waitFor(() => server.sockets.size === 0);
    const nudge: OutboundMessage = {
      title: '签到提醒',
      markdown: '**签到提醒**：党员大会 已开始。',
      mentions: ['m1', 'm2'],
      unmentioned: '会议尚有 2 位同志未签到。',
    };
    const enqueue = (id: string, target: Target) =>
      enqueueDelivery(t.db, t.queues.outbound, { id, orgId: 'o1', target, message: nudge }, Date.now());
    const row = (id: string) =>
      t.db.selectFrom('deliveries').select(['state', 'attempts', 'last_error']).where('id', '=', id).executeTakeFirstOrThrow();

    await enqueue('nudge-socket', { kind: 'chat', channelId: 'ws1', chatId: GROUP });
    await eventually(async () => {
      expect(await row('nudge-socket')).toMatchObject({
        state: expect.not.stringMatching(/sent|failed/),
        last_error: 'no process holds the long connection',
      });
    }, 10_000);

    await enqueue('nudge-robot', { kind: 'chat', channelId: 'ws1', chatId: 'wrkGroupB' });
    const nudged = (r: RecordedRequest) =>
      r.path === '/cgi-bin/webhook/send' && (r.body as { markdown: { content: string } }).markdown.content.startsWith('**签到提醒**');
    const [robot] = await fake.waitFor(nudged, 10_000);
    expect(robot!.query.key).toBe('key-b2');
    // The robot can @-mention: it does, as before.
    expect((robot!.body as { markdown: { content: string } }).markdown.content).toContain('<@wangwu> <@lisi>');

    await hold();
    const count = (f: Frame) => (f.body as { markdown?: { content: string } }).markdown?.content.includes('会议尚有 2 位同志未签到。');
    await server.waitFor(() => pushes().some(count), 20_000);
    const content = (pushes().find(count)!.body as { chatid: string; markdown: { content: string } }).markdown.content;
    expect(content).toBe('**签到提醒**：党员大会 已开始。\n\n会议尚有 2 位同志未签到。');
    await eventually(async () => expect((await row('nudge-socket')).state).toBe('sent'), 10_000);
    expect(pushes().filter(count)).toHaveLength(1);
  }, 40_000);

  it('sends no file over the socket: 导出 asked through it goes through the WeCom app, and without one she is told', async () => {
    const exports = () => t.db.selectFrom('deliveries').select(['target', 'state']).where('id', 'like', 'export-%').execute();
    expect(await say('导出', 'wc-sec', true)).toContain('这个渠道不能私发文件给你');
    expect(await exports()).toEqual([]);

    await enqueueDelivery(
      t.db,
      t.queues.outbound,
      {
        id: 'file-over-socket',
        orgId: 'o1',
        target: { kind: 'member', channelId: 'ws1', memberId: 'sec' },
        message: { title: '台账', markdown: '台账', file: { kind: 'ledger', branchId: 'b1', quarter: '2026-Q4', asOf: T0 } },
      },
      Date.now(),
    );
    await eventually(async () => {
      const row = await t.db
        .selectFrom('deliveries')
        .select(['state', 'last_error'])
        .where('id', '=', 'file-over-socket')
        .executeTakeFirstOrThrow();
      expect(row).toEqual({ state: 'failed', last_error: 'channel ws1 sends no files in private messages' });
    }, 10_000);

    const app = { corpId: 'wxcorp', agentId: '1000002', secret: 'app-secret', token: 'tok', encodingAESKey: 'a'.repeat(43) };
    await putChannel(t.db, 'o1', 'wa1', { platform: 'wecom-app', ...app }, T0);
    await say('导出', 'wc-sec', true);
    expect((await exports()).map((d) => JSON.parse(d.target))).toEqual([{ kind: 'member', channelId: 'wa1', memberId: 'sec' }]);
    expect(pushes().filter((f) => (f.body as { chatid?: string }).chatid === 'wc-sec')).toEqual([]);
  });
});

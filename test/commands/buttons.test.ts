import { describe, expect, it } from 'vitest';
import { createHandle } from '../../src/app.ts';
import type { ChatMessage, HandleResult, Reply } from '../../src/chat/message.ts';
import { cardTaskId } from '../../src/domain/cards.ts';
import type { Meeting } from '../../src/domain/records.ts';
import { at, commandRig } from '../helpers/command-rig.ts';
import { DIALECTS } from '../helpers/db.ts';

// A button on a meeting's card is its typed command for that meeting: the same rules, the same
// record, once; the answer is the card as its presser should see it. 请假 by button records the
// leave at once and asks privately for the reason, which her next private line gives.

describe.each(DIALECTS)('buttons on %s', (dialect) => {
  const rig = commandRig(dialect);
  let pressId = 0;

  const press = async (who: string, action: 'checkin' | 'leave', taskId: string): Promise<Reply> => {
    const handle = createHandle(rig.t);
    const message: ChatMessage = {
      platform: 'dingtalk',
      channelId: rig.channel,
      orgId: rig.org,
      chatType: 'group',
      chatId: rig.group,
      senderId: who,
      senderName: null,
      text: action === 'checkin' ? '签到' : '请假',
      messageId: `press-${process.pid}-${++pressId}`,
      receivedAt: rig.t.clock.now(),
      replyFormat: 'dingtalk',
      button: { action, taskId },
    };
    const reply: HandleResult = await handle(message);
    if (!reply || typeof reply !== 'object') throw new Error(`no reply to the press: ${String(reply)}`);
    return reply;
  };
  /** A private line as the platform sends it, under `messageId` (a retry repeats it). */
  const privately = async (who: string, text: string, messageId: string): Promise<Reply | null> => {
    const reply = await createHandle(rig.t)({
      platform: 'dingtalk',
      channelId: rig.channel,
      orgId: rig.org,
      chatType: 'direct',
      chatId: who,
      senderId: who,
      senderName: null,
      text,
      messageId,
      receivedAt: rig.t.clock.now(),
      replyFormat: 'dingtalk',
    });
    if (typeof reply !== 'object') throw new Error('the line could not be recorded');
    return reply;
  };
  const task = (meeting: Meeting, kind: 'remind' | 'start' | 'nudge' = 'start') =>
    cardTaskId({ kind, meetingId: meeting.id }, rig.group, 'send-1');
  const rows = (meeting: Meeting) =>
    rig.t.db.selectFrom('attendance').select(['member_id', 'status', 'note', 'source']).where('meeting_id', '=', meeting.id).execute();
  const private_ = () =>
    rig.t.db.selectFrom('deliveries').select(['target', 'body']).where('org_id', '=', rig.org).where('id', 'like', 'reason-%').execute();

  it('签到 records what a typed 签到 records, once, and shows it on her card', async () => {
    const meeting = await rig.meeting('K7Q', { starts_at: at(12, 7, 9, 10) });
    const first = await press('m1', 'checkin', task(meeting));
    expect(first.title).toBe('已签到');
    expect(first.card).toMatchObject({ meetingId: meeting.id, kind: 'start', note: '已签到', actions: ['checkin', 'leave'] });
    expect(first.card?.rows).toContainEqual({ label: '编号', value: 'K7Q' });
    const second = await press('m1', 'checkin', task(meeting));
    expect(second.card?.note).toBe('已签到');
    expect(await rows(meeting)).toEqual([{ member_id: 'm1', status: 'present', note: null, source: expect.any(String) }]);
    // Typed afterwards, it finds her present: the same one row.
    expect(await rig.say('m1', '签到 K7Q')).toContain('已签到');
    expect(await rows(meeting)).toHaveLength(1);
  });

  it('before the window, or pressed by someone not in the roster, records nothing and says why', async () => {
    const meeting = await rig.meeting('K7Q', { starts_at: at(12, 7, 15) });
    const before = await rig.counts();
    const early = await press('m1', 'checkin', task(meeting, 'remind'));
    expect(early.title).toBe('签到未成功');
    expect(early.card?.note).toMatch(/^签到未成功：签到还没开始：.*14:30起可以签到。$/);
    const stranger = await press('nobody', 'checkin', task(meeting, 'remind'));
    expect(stranger.title).toBe('签到未成功');
    expect(await rig.counts()).toEqual(before);
    expect(await rows(meeting)).toEqual([]);
  });

  it('a card the service never made, or of another org, changes nothing', async () => {
    const meeting = await rig.meeting('K7Q', { starts_at: at(12, 7, 9, 10) });
    const before = await rig.counts();
    for (const forged of [
      'tx-start-zzzzzzzzzzzzzzzzzzzzz-0123456789-01234567',
      'not-a-task',
      task({ ...meeting, id: 'other0org0meeting00000' }),
    ]) {
      const reply = await press('m1', 'checkin', forged);
      expect(reply).toEqual({ title: '签到未成功', markdown: '没有找到这张卡片对应的会议，请以最新通知为准。' });
    }
    expect(await rig.counts()).toEqual(before);
  });

  it('a card whose code went to a newer meeting is refused', async () => {
    const old = await rig.meeting('K7Q', { starts_at: at(12, 1, 9, 10) });
    await rig.meeting('K7Q', { starts_at: at(12, 7, 9, 10) });
    const reply = await press('m1', 'checkin', task(old));
    expect(reply.markdown).toBe('这张卡片的会议 K7Q 已不是本支部近期的会议，请以最新通知为准。');
    expect(await rows(old)).toEqual([]);
  });

  it('请假 records the leave at once, asks privately for the reason, and takes her next private line as it', async () => {
    const meeting = await rig.meeting('K7Q', { starts_at: at(12, 7, 15) });
    const pressed = await press('m1', 'leave', task(meeting, 'remind'));
    expect(pressed.title).toBe('已请假');
    expect(pressed.markdown).toContain('请补充请假事由：我已私信你，直接回复即可。');
    expect(pressed.card?.note).toBe('已请假');
    expect(await rows(meeting)).toEqual([{ member_id: 'm1', status: 'leave', note: null, source: expect.any(String) }]);
    const asked = await private_();
    expect(asked).toHaveLength(1);
    expect(JSON.parse(asked[0]!.target)).toEqual({ kind: 'member', channelId: rig.channel, memberId: 'm1' });
    expect(JSON.parse(asked[0]!.body).markdown).toContain('请直接回复请假事由');

    // A greeting is not the reason; the next line is.
    expect(await rig.say('m1', '好的', { direct: true })).not.toContain('已请假');
    const given = await rig.say('m1', '外出执行防汛任务', { direct: true });
    expect(given).toContain('**张一 已请假**');
    expect(given).toContain('事由：外出执行防汛任务');
    expect(await rows(meeting)).toEqual([{ member_id: 'm1', status: 'leave', note: '外出执行防汛任务', source: expect.any(String) }]);
    // Answered: a further line is not taken as a reason again.
    expect(await rig.say('m1', '另外一句话', { direct: true })).not.toContain('已请假');
    // Pressed again, the leave and its reason stand.
    expect((await press('m1', 'leave', task(meeting, 'remind'))).markdown).toContain('事由：外出执行防汛任务');
    expect(await private_()).toHaveLength(1);
  });

  it('a reason given after the meeting still completes a leave taken by button; a group line never does', async () => {
    const meeting = await rig.meeting('K7Q', { starts_at: at(12, 7, 15) });
    await press('m2', 'leave', task(meeting, 'remind'));
    expect(await rig.say('m2', '家里有事')).not.toContain('已请假');
    rig.t.clock.set(at(12, 8, 9));
    expect(await rig.say('m2', '家里有事', { direct: true })).toContain('事由：家里有事');
    expect(await rows(meeting)).toEqual([{ member_id: 'm2', status: 'leave', note: '家里有事', source: expect.any(String) }]);
  });

  it('请假 after the start is refused as a typed one would be', async () => {
    const meeting = await rig.meeting('K7Q', { starts_at: at(12, 7, 9, 10) });
    await rig.mark(meeting, 'm1', 'present');
    rig.t.clock.set(at(12, 7, 9, 20));
    const reply = await press('m1', 'leave', task(meeting, 'remind'));
    expect(reply.card?.note).toBe('请假未成功：你已在会议 K7Q 签到，无需请假。');
    expect(reply.card?.actions).toEqual(['checkin']);
  });

  it('a line after the leave was withdrawn, or its meeting cancelled, is not a reason', async () => {
    const meeting = await rig.meeting('K7Q', { starts_at: at(12, 7, 15) });
    await press('m1', 'leave', task(meeting, 'remind'));
    expect(await rig.say('m1', '销假 K7Q', { direct: true })).toContain('已销假');
    expect(await rig.say('m1', '我能参加了', { direct: true })).toContain('没有看懂');
    expect(await rows(meeting)).toEqual([]);

    const other = await rig.meeting('P2P', { starts_at: at(12, 8, 15) });
    await press('m2', 'leave', task(other, 'remind'));
    await rig.t.db.updateTable('meetings').set({ status: 'cancelled' }).where('id', '=', other.id).execute();
    expect(await rig.say('m2', '家里有事', { direct: true })).toContain('没有看懂');
  });

  it('with two reasons awaited, asks which meeting; pressed again, asks her once', async () => {
    const first = await rig.meeting('K7Q', { starts_at: at(12, 7, 15) });
    const second = await rig.meeting('P2P', { starts_at: at(12, 8, 15) });
    await press('m1', 'leave', task(first, 'remind'));
    await press('m1', 'leave', task(first, 'remind'));
    expect(await private_()).toHaveLength(1);
    await press('m1', 'leave', task(second, 'remind'));
    expect(await private_()).toHaveLength(2);
    const before = await rig.counts();
    const asked = await rig.reply('m1', '出差', { direct: true });
    expect(asked).toEqual({
      title: '请假未成功',
      text: '你有 2 次请假尚未写事由，请注明会议：发送「请假 K7Q 事由」（编号：K7Q、P2P）。',
    });
    expect(await rig.counts()).toEqual(before);
    expect(await rig.say('m1', '请假 K7Q 出差', { direct: true })).toContain('事由：出差');
    expect(await rig.say('m1', '培训', { direct: true })).toContain('事由：培训');
    expect(await rows(second)).toEqual([{ member_id: 'm1', status: 'leave', note: '培训', source: expect.any(String) }]);
  });

  it('a retried reason line gets the answer its first delivery got', async () => {
    const meeting = await rig.meeting('K7Q', { starts_at: at(12, 7, 15) });
    await press('m1', 'leave', task(meeting, 'remind'));
    const first = await privately('m1', '出差', `line-${rig.org}`);
    expect(first?.markdown).toContain('事由：出差');
    expect(await privately('m1', '出差', `line-${rig.org}`)).toEqual(first);
  });
});

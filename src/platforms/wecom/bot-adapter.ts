import type { WecomBotConfig } from '../../domain/channels.ts';
import type { ChannelOf, PlatformAdapter, SendContext } from '../adapter.ts';
import { failure } from '../shared/api.ts';
import { sendMarks } from '../shared/send-marks.ts';
import type { SendResult } from '../shared/send-result.ts';
import { type RelayAnswer, relaySend } from '../shared/socket-relay.ts';
import { openAibotSocket } from './aibot-connection.ts';
import { TASK_ID_TAKEN, classifyErrcode } from './api.ts';
import { WECOM_WEBHOOK, sendThroughRobot, wecomChats } from './chats.ts';
import { type PushBody, privateBody, pushBody } from './template-card.ts';

const onSocket = (config: WecomBotConfig) => config.mode === 'websocket';

/** A push over the bot's long connection, from whichever process holds it. */
const overSocket = ({ deps }: SendContext, channel: ChannelOf<WecomBotConfig>, body: PushBody): Promise<RelayAnswer> =>
  relaySend(deps.redis, deps.config.QUEUE_PREFIX, channel.id, body);

/** Whether a push reached the platform, so that it counts as a call: sent, refused by WeCom, or taken and unanswered. */
const reachedWecom = (outcome: RelayAnswer) => outcome.sent !== false || outcome.errcode !== undefined;

/** Sends to a group WeCom may have taken without saying so: their retries never go through the chat's robot. */
const unsure = ({ deps }: SendContext) => sendMarks({ ...deps, keyPrefix: deps.config.QUEUE_PREFIX }, 'aibot-unsure');

/** A push the socket did not deliver, as WeCom's errcode says: permanent, rate-limited (after its delay), else tried again. */
function notDelivered(outcome: Exclude<RelayAnswer, { sent: true }>): SendResult {
  const errcode = outcome.sent === false ? outcome.errcode : undefined;
  const classified = errcode === undefined ? null : classifyErrcode(errcode);
  if (!classified || classified.kind === 'ok') return { delivered: false, kind: 'retry', reason: outcome.reason };
  return { ...failure(classified, errcode), reason: outcome.reason };
}

/**
 * The WeCom AI bot (智能机器人): messages in by callback or its long connection, answered where they
 * came. Over HTTP callbacks it posts into a chat only through the chat's group robot and cannot write
 * to a member first. On its long connection it pushes to any group it is in, and to a member, over
 * the socket: a meeting's notice as a card with buttons, which are pressed over the same socket.
 */
export const wecomBotAdapter: PlatformAdapter<WecomBotConfig> = {
  platform: 'wecom-bot',
  account: 'wecom',
  quota: 'wecom',
  console: {
    label: '企业微信智能机器人',
    help: null,
    // On its long connection it needs the bot's id and secret; on callbacks, the callback's token and key.
    checklist: (config) => ({
      fields: onSocket(config)
        ? [
            ['botId', 'BotID'],
            ['secret', 'Secret'],
          ]
        : [
            ['token', 'Token'],
            ['encodingAESKey', 'EncodingAESKey'],
          ],
      chats: true,
    }),
    buttons: (config) =>
      onSocket(config)
        ? { set: true, how: '长连接：提醒带「签到」「请假」按钮' }
        : { set: false, how: '回调模式：提醒为文字；按钮需长连接模式' },
  },
  webhook: WECOM_WEBHOOK,
  chats: {
    format: 'wecom',
    reach: (config, chat) => (onSocket(config) ? 'socket' : wecomChats.reach(config, chat)),
    /**
     * Over the socket when on one; a push the socket did not take (nobody holds it, it is
     * reconnecting, WeCom refused it) goes through the chat's robot when it has one. One WeCom may
     * have taken (it did not acknowledge it) is tried again over the socket only, every later
     * attempt too: the robot would post it a second time. Such a retry's card refused as taken is
     * the card that attempt posted.
     */
    async send(ctx, channel, send) {
      if (!onSocket(channel.config)) return sendThroughRobot(ctx, channel, send);
      const body = pushBody(send.message, send.chat.chat_id, send.idempotencyKey);
      const outcome = await overSocket(ctx, channel, body);
      if (reachedWecom(outcome)) await ctx.clients.quota.count(channel, 'api');
      if (outcome.sent === true) return { delivered: true };
      const key = `${channel.id}:${send.idempotencyKey}`;
      if (outcome.sent === 'unknown') {
        await unsure(ctx).set(key);
        return notDelivered(outcome);
      }
      // Unreadable, the mark is taken as set: at most once through the robot.
      if ((await unsure(ctx).has(key)) !== false) {
        if (body.msgtype !== 'template_card' || outcome.errcode !== TASK_ID_TAKEN) return notDelivered(outcome);
        ctx.deps.logger.info({ channel: channel.id, chat: send.chat.chat_id }, 'WeCom AI bot: the card was posted by an earlier attempt');
        return { delivered: true };
      }
      if (send.chat.webhook) {
        ctx.deps.logger.info({ channel: channel.id, reason: outcome.reason }, "WeCom AI bot: pushing through the chat's robot instead");
        return sendThroughRobot(ctx, channel, send);
      }
      return notDelivered(outcome);
    },
  },
  // On its long connection only: over callbacks it cannot write first.
  privately: {
    format: 'wecom',
    uses: onSocket,
    files: false,
    async send(ctx, channel, { account, markdown }) {
      const outcome = await overSocket(ctx, channel, privateBody(account, markdown));
      if (reachedWecom(outcome)) await ctx.clients.quota.count(channel, 'api');
      return outcome.sent === true ? { delivered: true } : notDelivered(outcome);
    },
  },
  longConnection: { uses: onSocket, open: openAibotSocket },
};

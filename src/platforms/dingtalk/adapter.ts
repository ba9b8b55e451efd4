import { cardTaskId } from '../../domain/cards.ts';
import type { DingtalkConfig } from '../../domain/channels.ts';
import { withoutMentions } from '../../domain/outbound.ts';
import { accountOf } from '../../domain/targets.ts';
import type { PlatformAdapter } from '../adapter.ts';
import { dingtalkApi } from './app-clients.ts';
import { cardParams } from './card.ts';
import { sendCustomRobot } from './custom-robot.ts';
import { dingtalkDirectory } from './directory.ts';
import { dingtalkReceiver } from './receiver.ts';
import { openStream } from './stream-connection.ts';

/**
 * The card template a channel's group pushes may use: only in stream mode, since a card's button
 * presses are called back over Stream alone.
 */
const cardTemplate = (config: DingtalkConfig): string | null =>
  config.mode === 'stream' && config.cardTemplateId ? config.cardTemplateId : null;

/** DingTalk's enterprise-internal app robot: callbacks or Stream in, a chat's custom robot or the app's API out. */
export const dingtalkAdapter: PlatformAdapter<DingtalkConfig> = {
  platform: 'dingtalk',
  account: 'dingtalk',
  quota: 'dingtalk',
  console: {
    label: '钉钉企业内部应用机器人',
    help: null,
    checklist: {
      fields: [
        ['appKey', 'AppKey'],
        ['appSecret', 'AppSecret'],
        ['robotCode', 'RobotCode'],
      ],
      chats: true,
    },
    buttons: (config) =>
      !config.cardTemplateId
        ? { set: false, how: '未设置卡片模板：提醒为文字' }
        : config.mode === 'stream'
          ? { set: true, how: '已设置卡片模板：提醒带「签到」「请假」按钮' }
          : { set: false, how: '已设置卡片模板，但按钮需 Stream 模式：提醒仍为文字' },
  },
  webhook: { segment: 'dingtalk', post: dingtalkReceiver },
  chats: {
    format: 'dingtalk',
    // A chat's own custom robot when it has one (it can @-mention), else the app robot.
    reach: (_config, chat) => (chat.webhook ? 'robot' : 'app'),
    async send({ deps, clients }, channel, { chat, message, mentioned, idempotencyKey }) {
      const named = mentioned.flatMap((m) => {
        const id = accountOf(m, 'dingtalk');
        return id ? [[id, m.name] as const] : [];
      });
      const ids = named.map(([id]) => id);
      const template = cardTemplate(channel.config);
      // A card wherever there is a template: its delivery @-mentions those the message names (a nudge's).
      if (message.card && template) {
        await clients.quota.count(channel, 'api');
        const sent = await dingtalkApi(clients, channel).sendCard({
          openConversationId: chat.chat_id,
          templateId: template,
          outTrackId: cardTaskId(message.card, chat.chat_id, idempotencyKey),
          params: cardParams(message.card),
          mentions: Object.fromEntries(named),
        });
        if (sent.delivered) return sent;
        if (sent.kind !== 'no-card') return sent;
        // A card DingTalk will not deliver (its template missing or unpublished, the app without the
        // card permission, a card made and not delivered) must not cost the notice.
        deps.logger.warn({ channel: channel.id }, `DingTalk will not deliver the meeting card (${sent.reason}); sent as markdown instead`);
      }
      if (chat.webhook) {
        // DingTalk shows an @ only when the user id is in the text as well as in atUserIds.
        const text = ids.length ? `${message.markdown}\n\n${ids.map((id) => `@${id}`).join(' ')}` : message.markdown;
        await clients.quota.count(channel, 'webhook');
        return sendCustomRobot({
          oapiBase: deps.config.DINGTALK_OAPI_BASE,
          accessToken: chat.webhook,
          ...(chat.secret ? { secret: chat.secret } : {}),
          message: { kind: 'markdown', title: message.title, text, atUserIds: ids },
          msgUuid: idempotencyKey,
          logger: deps.logger,
        });
      }
      await clients.quota.count(channel, 'api');
      return dingtalkApi(clients, channel).sendGroup({
        openConversationId: chat.chat_id,
        message: { title: message.title, markdown: withoutMentions(message) },
      });
    },
  },
  privately: {
    format: 'dingtalk',
    files: true,
    async send({ clients }, channel, { account, title, markdown, file }) {
      const api = dingtalkApi(clients, channel);
      // A file is two calls: its upload and its message.
      await clients.quota.count(channel, 'api', file ? 2 : 1);
      if (file) return api.sendPrivateFile({ userIds: [account], file });
      return api.sendPrivate({ userIds: [account], message: { title, markdown } });
    },
  },
  directory: dingtalkDirectory,
  longConnection: { uses: (config) => config.mode === 'stream', open: openStream },
};

import type { DingtalkConfig } from '../../domain/channels.ts';
import { accountOf } from '../../domain/targets.ts';
import type { PlatformAdapter } from '../adapter.ts';
import { dingtalkApi } from './app-clients.ts';
import { sendCustomRobot } from './custom-robot.ts';
import { dingtalkDirectory } from './directory.ts';
import { dingtalkReceiver } from './receiver.ts';
import { openStream } from './stream-connection.ts';

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
  },
  webhook: { segment: 'dingtalk', post: dingtalkReceiver },
  chats: {
    format: 'dingtalk',
    // A chat's own custom robot when it has one (it can @-mention), else the app robot.
    reach: (_config, chat) => (chat.webhook ? 'robot' : 'app'),
    async send({ deps, clients }, channel, { chat, message, mentioned, idempotencyKey }) {
      const ids = mentioned.map((m) => accountOf(m, 'dingtalk')).filter((id): id is string => !!id);
      // DingTalk shows an @ only when the user id is in the text as well as in atUserIds.
      const text = ids.length ? `${message.markdown}\n\n${ids.map((id) => `@${id}`).join(' ')}` : message.markdown;
      if (chat.webhook) {
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
        message: { title: message.title, markdown: text },
      });
    },
  },
  privately: {
    format: 'dingtalk',
    send({ clients }, channel, { account, title, markdown, file }) {
      const api = dingtalkApi(clients, channel);
      if (file) return api.sendPrivateFile({ userIds: [account], file });
      return api.sendPrivate({ userIds: [account], message: { title, markdown } });
    },
  },
  directory: dingtalkDirectory,
  longConnection: { uses: (config) => config.mode === 'stream', open: openStream },
};

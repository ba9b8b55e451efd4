import type { WecomBotConfig } from '../../domain/channels.ts';
import type { PlatformAdapter } from '../adapter.ts';
import { openAibotSocket } from './aibot-connection.ts';
import { WECOM_WEBHOOK, wecomChats } from './chats.ts';

/**
 * The WeCom AI bot (智能机器人): messages in by callback or its long connection, answered where they
 * came; it cannot write to a member first, and posts into a chat only through the chat's group robot.
 */
export const wecomBotAdapter: PlatformAdapter<WecomBotConfig> = {
  platform: 'wecom-bot',
  account: 'wecom',
  quota: 'wecom',
  console: {
    label: '企业微信智能机器人',
    help: null,
    checklist: {
      fields: [
        ['token', 'Token'],
        ['encodingAESKey', 'EncodingAESKey'],
      ],
      chats: true,
    },
  },
  webhook: WECOM_WEBHOOK,
  chats: wecomChats,
  longConnection: { uses: (config) => config.mode === 'websocket', open: openAibotSocket },
};

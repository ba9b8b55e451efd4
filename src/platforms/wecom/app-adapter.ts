import type { WecomAppConfig } from '../../domain/channels.ts';
import type { PlatformAdapter } from '../adapter.ts';
import { wecomAppApi } from './app-clients.ts';
import { WECOM_WEBHOOK, wecomChats } from './chats.ts';
import { wecomDirectory } from './directory.ts';

/** The WeCom self-built app: one-to-one messages in by callback, private messages out through message/send. */
export const wecomAppAdapter: PlatformAdapter<WecomAppConfig> = {
  platform: 'wecom-app',
  account: 'wecom',
  quota: 'wecom',
  console: {
    label: '企业微信自建应用',
    help: null,
    checklist: {
      fields: [
        ['corpId', '企业 ID'],
        ['agentId', 'AgentId'],
        ['secret', 'Secret'],
        ['token', 'Token'],
        ['encodingAESKey', 'EncodingAESKey'],
      ],
      // An app takes no group messages: no group chat binds to it.
      chats: false,
    },
  },
  webhook: WECOM_WEBHOOK,
  chats: wecomChats,
  privately: {
    format: 'wecom-app',
    files: true,
    async send({ clients }, channel, { account, markdown, file }) {
      const api = wecomAppApi(clients, channel);
      // A file is two calls: its upload and its message.
      await clients.quota.count(channel, 'api', file ? 2 : 1);
      if (file) return api.sendFile({ touser: [account], file });
      return api.sendMessage({ touser: [account], message: { kind: 'markdown', content: markdown } });
    },
  },
  directory: wecomDirectory,
};

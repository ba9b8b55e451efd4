import { getBranch } from '../../../db/branches.ts';
import type { ChannelConfig } from '../../domain/channels.ts';
import type { PlatformAdapter, SendContext } from '../adapter.ts';
import { type SendResult, permanent } from '../shared/send-result.ts';
import { type TerminalPush, showPush } from './terminal.ts';

type DemoConfig = Extract<ChannelConfig, { platform: 'demo' }>;

/** Shown where the demo runs, never sent; unavailable elsewhere (unavailable() says so first). */
const show = ({ deps }: SendContext, push: TerminalPush): Promise<SendResult> =>
  deps.terminal ? showPush(deps.terminal, push) : Promise.resolve(permanent('no terminal'));

/**
 * The terminal demo's channel: it reaches every member by id and posts into its group chats as
 * DingTalk, the platform it stands in for, would; it calls no platform and counts no quota.
 */
export const demoAdapter: PlatformAdapter<DemoConfig> = {
  platform: 'demo',
  account: 'any',
  quota: null,
  console: {
    label: '终端演示',
    help: '提醒、通知和文件只显示在运行 `npm run chat -- --demo` 的终端里，不发往任何平台，也不计入调用额度。',
    checklist: null,
  },
  unavailable: ({ deps }, channel) =>
    deps.terminal ? null : `channel ${channel.id} is the terminal demo's: only \`npm run chat -- --demo\` shows its messages`,
  chats: {
    format: 'dingtalk',
    reach: () => 'app',
    async send(ctx, _channel, { chat, message, mentioned }) {
      const branch = await getBranch(ctx.deps.db, chat.org_id, chat.branch_id);
      const to = `群「${branch?.name ?? chat.branch_id}」（${chat.chat_id}）`;
      return show(ctx, { to, private: false, title: message.title, markdown: message.markdown, mentions: mentioned.map((m) => m.name) });
    },
  },
  privately: {
    format: 'dingtalk',
    files: true,
    send(ctx, _channel, { member, title, markdown, file, mentioned }) {
      const to = `${member.name}（${member.id}）`;
      return show(ctx, { to, private: true, title, markdown, mentions: mentioned.map((m) => m.name), ...(file ? { file } : {}) });
    },
  },
};

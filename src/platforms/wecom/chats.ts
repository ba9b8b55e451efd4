import type { Channel, ChannelConfig } from '../../domain/channels.ts';
import { accountOf } from '../../domain/targets.ts';
import type { ChatSend, PlatformAdapter, SendContext, WebhookRoutes } from '../adapter.ts';
import { type SendResult, permanent } from '../shared/send-result.ts';
import { sendGroupRobot } from './group-robot.ts';
import { wecomReceiver, wecomUrlCheck } from './receiver.ts';

// What WeCom's two kinds of channel share: one callback route (the receiver tells them apart), and
// posting into a chat through the chat's own group robot.

export const WECOM_WEBHOOK: WebhookRoutes = { segment: 'wecom', get: wecomUrlCheck, post: wecomReceiver };

const noRobot = (chatId: string) =>
  `WeCom chat ${chatId} has no group robot of its own: set the chat's webhook (its group robot key) with PUT /admin/orgs/:org/branches/:branch`;

/** Posts into a chat through its own robot: another chat's (or the channel's) key would post into another group. */
export async function sendThroughRobot(
  { deps, clients }: SendContext,
  channel: Channel,
  { chat, message, mentioned }: Pick<ChatSend, 'chat' | 'message' | 'mentioned'>,
): Promise<SendResult> {
  const key = chat.webhook;
  if (!key) return permanent(noRobot(chat.chat_id));
  const ids = mentioned.map((m) => accountOf(m, 'wecom')).filter((id): id is string => !!id);
  await clients.quota.count(channel, 'webhook');
  // WeCom group-robot markdown mentions with <@userid>.
  const content = ids.length ? `${message.markdown}\n\n${ids.map((id) => `<@${id}>`).join(' ')}` : message.markdown;
  return sendGroupRobot({ apiBase: deps.config.WECOM_API_BASE, key, message: { kind: 'markdown', content }, logger: deps.logger });
}

/** Only the chat's own robot. */
export const wecomChats: PlatformAdapter<ChannelConfig>['chats'] = {
  format: 'wecom',
  reach: (_config, chat) => (chat.webhook ? 'robot' : null),
  send: sendThroughRobot,
};

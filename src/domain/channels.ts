import { z } from 'zod';

// Platform credentials of a channel, as the admin API takes them (SPEC §7) and as stored (JSON), and
// the name members know the bot by (`botName`: reminders tell them to write「@同心 签到」).

const botName = z.string().min(1).max(30).optional();

/** What reminders call the bot when a channel names it nothing. */
export const DEFAULT_BOT_NAME = '同心';

const wecomApp = z.object({
  platform: z.literal('wecom-app'),
  corpId: z.string().min(1).max(64),
  agentId: z.union([z.string().regex(/^\d+$/), z.number().int().nonnegative()]).transform(String),
  secret: z.string().min(1).max(256),
  token: z.string().min(1).max(64),
  encodingAESKey: z.string().regex(/^[A-Za-z0-9]{43}$/, 'expects the 43-character EncodingAESKey'),
  botName,
});

const wecomBot = z.object({
  platform: z.literal('wecom-bot'),
  token: z.string().min(1).max(64),
  encodingAESKey: z.string().regex(/^[A-Za-z0-9]{43}$/, 'expects the 43-character EncodingAESKey'),
  webhookKey: z.string().min(1).max(256).optional(),
  botName,
});

const dingtalk = z.object({
  platform: z.literal('dingtalk'),
  appKey: z.string().min(1).max(128),
  appSecret: z.string().min(1).max(256),
  robotCode: z.string().min(1).max(128),
  /** How messages arrive: `http` callbacks (the default) or a `stream` long connection (SPEC §9.5). */
  mode: z.enum(['http', 'stream']).optional(),
  botName,
});

export const channelConfigSchema = z.discriminatedUnion('platform', [wecomApp, wecomBot, dingtalk]);

export type ChannelConfig = z.output<typeof channelConfigSchema>;
export type DingtalkConfig = z.output<typeof dingtalk>;
export type WecomAppConfig = z.output<typeof wecomApp>;
export type WecomBotConfig = z.output<typeof wecomBot>;

/** A channel as receivers use it: its org and its credentials. */
export interface Channel {
  id: string;
  orgId: string;
  config: ChannelConfig;
}

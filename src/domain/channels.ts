import { z } from 'zod';

// Platform credentials of a channel, as the admin API takes them and as stored (JSON), and
// the name members know the bot by (`botName`: reminders tell them to write「@同心 签到」).

const botName = z.string().min(1).max(30).optional();

/** What reminders call the bot when a channel names it nothing. */
export const DEFAULT_BOT_NAME = '同心';

const AES_KEY = z.string().regex(/^[A-Za-z0-9]{43}$/, 'expects the 43-character EncodingAESKey');

const wecomApp = z.object({
  platform: z.literal('wecom-app'),
  corpId: z.string().min(1).max(64),
  agentId: z.union([z.string().regex(/^\d+$/), z.number().int().nonnegative()]).transform(String),
  secret: z.string().min(1).max(256),
  token: z.string().min(1).max(64),
  encodingAESKey: z.string().regex(/^[A-Za-z0-9]{43}$/, 'expects the 43-character EncodingAESKey'),
  /** The 通讯录同步 secret, which WeCom requires for listing members (the directory); the app's own is tried without it. */
  contactsSecret: z.string().min(1).max(256).optional(),
  botName,
});

/**
 * The AI bot (智能机器人): over HTTP callbacks (the default) it needs the callback's Token and
 * EncodingAESKey; over the long connection (`mode: websocket`) its BotID and Secret.
 */
const wecomBot = z
  .object({
    platform: z.literal('wecom-bot'),
    mode: z.enum(['http', 'websocket']).optional(),
    token: z.string().min(1).max(64).optional(),
    encodingAESKey: AES_KEY.optional(),
    botId: z.string().min(1).max(128).optional(),
    secret: z.string().min(1).max(256).optional(),
    webhookKey: z.string().min(1).max(256).optional(),
    botName,
  })
  .superRefine((c, ctx) => {
    const needed: ('token' | 'encodingAESKey' | 'botId' | 'secret')[] =
      c.mode === 'websocket' ? ['botId', 'secret'] : ['token', 'encodingAESKey'];
    for (const field of needed) {
      if (c[field] === undefined) ctx.addIssue({ code: 'custom', path: [field], message: `is required in ${c.mode ?? 'http'} mode` });
    }
  });

const dingtalk = z.object({
  platform: z.literal('dingtalk'),
  appKey: z.string().min(1).max(128),
  appSecret: z.string().min(1).max(256),
  robotCode: z.string().min(1).max(128),
  /** How messages arrive: `http` callbacks (the default) or a `stream` long connection. */
  mode: z.enum(['http', 'stream']).optional(),
  /**
   * The meeting card's template on DingTalk's card platform (docs/dingtalk-card.md): with
   * it, in stream mode, reminders go to groups as cards with buttons, whose presses come over Stream.
   */
  cardTemplateId: z.string().min(1).max(128).optional(),
  /** The org's monthly call budget, when not the standard edition's (3,000 Webhook&Stream, 5,000 API). */
  monthlyBudget: z
    .strictObject({ webhook: z.number().int().positive().optional(), api: z.number().int().positive().optional() })
    .optional(),
  botName,
});

/**
 * The terminal demo's own channel (`npm run chat -- --demo`): what would be sent through it is
 * printed in that terminal and reaches no platform. The console seeds it; the admin API does not
 * take it, since no service process has a terminal to show it in.
 */
const demo = z.object({ platform: z.literal('demo'), botName });

/** A channel as the admin API takes it: a real platform's. */
export const platformChannelSchema = z.discriminatedUnion('platform', [wecomApp, wecomBot, dingtalk]);

/** A channel as stored. */
export const channelConfigSchema = z.discriminatedUnion('platform', [wecomApp, wecomBot, dingtalk, demo]);

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

import { z } from 'zod';
import { parseDuration, parseDurationList } from './duration.ts';
import { isCron } from './cron.ts';

const duration = (what: string) =>
  z.string().transform((value, ctx) => {
    const ms = parseDuration(value);
    if (ms === null) {
      ctx.addIssue({ code: 'custom', message: `expects ${what}, a duration such as 30m, 2h or 1d` });
      return z.NEVER;
    }
    return ms;
  });

const isTimeZone = (tz: string) => {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
};

/**
 * An http(s) URL with its scheme written out: `localhost:8787` parses as a URL of scheme
 * `localhost:`, and links built on it would open nowhere.
 */
const httpUrl = (example?: string) =>
  z.url({ protocol: /^https?$/, message: `expects an http(s) URL starting with http:// or https://${example ? `, ${example}` : ''}` });

const PORT = 'expects a port number 1-65535';
const IN_FLIGHT = 'expects a whole number of messages from 1 to 100000';
const RETENTION = 'expects a whole number of days 1-3650';
const AUDIT_RETENTION = 'expects a whole number of days 180-3650';

const schema = z.object({
  PORT: z.coerce.number({ error: PORT }).int(PORT).min(1, PORT).max(65535, PORT).default(8787),
  DATABASE_URL: z
    .string()
    .regex(/^(sqlite:.+|mysql:\/\/.+)$/, 'expects sqlite:PATH, sqlite::memory: or mysql://user:pass@host:port/db')
    .default('sqlite:data/tongxin.db'),
  REDIS_URL: z
    .string()
    .regex(/^rediss?:\/\/.+/, 'expects redis://host:port')
    .default('redis://127.0.0.1:6379'),
  QUEUE_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9_.-]{1,64}$/, 'expects letters, digits, _ . - (1-64)')
    .default('tongxin'),
  ADMIN_TOKEN: z.string().min(32, 'expects at least 32 characters').optional(),
  // The service's external base URL: links in chat (the user guide) point under it.
  PUBLIC_URL: httpUrl('such as https://tongxin.example.gov.cn')
    .transform((url) => url.replace(/\/+$/, ''))
    .optional(),
  // The header in which the reverse proxy in front of the service puts the client's address.
  TRUST_PROXY: z
    .string()
    .regex(/^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/, 'expects an HTTP header name such as x-forwarded-for or x-real-ip')
    .transform((name) => name.toLowerCase())
    .optional(),
  WECOM_API_BASE: httpUrl().default('https://qyapi.weixin.qq.com'),
  DINGTALK_OAPI_BASE: httpUrl().default('https://oapi.dingtalk.com'),
  DINGTALK_API_BASE: httpUrl().default('https://api.dingtalk.com'),
  WECOM_AIBOT_WS_URL: z
    .string()
    .regex(/^wss?:\/\/\S+$/, 'expects a ws(s) URL')
    .default('wss://openws.work.weixin.qq.com'),
  REMINDER_OFFSETS: z
    .string()
    .transform((value, ctx) => {
      const list = parseDurationList(value);
      if (list === null) {
        ctx.addIssue({ code: 'custom', message: 'expects a comma-separated list of durations such as 24h,1h' });
        return z.NEVER;
      }
      return list;
    })
    .default([24 * 3600_000, 3600_000]),
  CHECKIN_OPENS: duration('how long before start check-in opens').default(30 * 60_000),
  CHECKIN_CLOSES: duration('how long after start check-in closes').default(2 * 3600_000),
  ABSENT_NUDGE_AFTER: duration('how long after start to nudge').default(15 * 60_000),
  CACHE_TTL: duration('how long a process keeps a channel, org, member or roster it read').default(5_000),
  MAX_IN_FLIGHT: z.coerce.number({ error: IN_FLIGHT }).int(IN_FLIGHT).min(1, IN_FLIGHT).max(100_000, IN_FLIGHT).default(256),
  DIGEST_CRON: z.string().refine(isCron, 'expects a five-field cron pattern such as "0 9 * * 1"').default('0 9 * * 1'),
  TZ_DEFAULT: z.string().refine(isTimeZone, 'expects an IANA time zone such as Asia/Shanghai').default('Asia/Shanghai'),
  RETENTION_DAYS: z.coerce.number({ error: RETENTION }).int(RETENTION).min(1, RETENTION).max(3650, RETENTION).default(180),
  // The trail of who did what outlives the rest: an assessment asks for at least half a year of it.
  AUDIT_RETENTION_DAYS: z.coerce
    .number({ error: AUDIT_RETENTION })
    .int(AUDIT_RETENTION)
    .min(180, AUDIT_RETENTION)
    .max(3650, AUDIT_RETENTION)
    .default(365),
  ROLE: z.enum(['all', 'web', 'worker'], { error: 'expects all, web or worker' }).default('all'),
  LOG_LEVEL: z
    .enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], {
      error: 'expects fatal, error, warn, info, debug, trace or silent',
    })
    .default('info'),
});

export type Config = z.output<typeof schema>;

export class ConfigError extends Error {}

/** Parses the environment once; an empty string counts as unset. */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const present = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = schema.safeParse(present);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0]!;
  const name = String(issue.path[0] ?? 'environment');
  // Never echo the value: it may be a secret.
  throw new ConfigError(`${name}: ${issue.message}`);
}

export { isTimeZone };

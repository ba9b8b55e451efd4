import { z } from 'zod';
import { isTimeZone } from '../core/config.ts';
import { isCron } from '../core/cron.ts';
import { ID, ID_REASON } from './http.ts';

// Bodies of the admin API. Objects are strict: PUT replaces the whole record, so a
// mistyped key would otherwise silently reset that field to its default.

const id = z.string().regex(ID, ID_REASON);

/** Optional text; empty means absent (CSV cells, cleared form fields), stored as null. */
const optionalText = (max: number) =>
  z
    .string()
    .trim()
    .max(max)
    .nullish()
    .transform((v) => v || null);

export const orgSchema = z.strictObject({
  name: z.string().trim().min(1).max(200),
  timezone: z.string().refine(isTimeZone, 'expects an IANA time zone such as Asia/Shanghai').optional(),
  digestCron: z.string().refine(isCron, 'expects a five-field cron pattern such as "0 9 * * 1"').nullish(),
});

export const branchSchema = z.strictObject({
  name: z.string().trim().min(1).max(200),
  chats: z
    .array(
      z.strictObject({
        channel: id,
        chatId: z.string().trim().min(1).max(128),
        webhook: optionalText(512),
        secret: optionalText(512),
      }),
    )
    .max(100)
    .default([]),
});

export const ROLES = ['secretary', 'committee', 'member'] as const;

export const memberSchema = z.strictObject({
  name: z.string().trim().min(1).max(100),
  branch: id,
  role: z.enum(ROLES),
  group: optionalText(100),
  probationary: z
    .boolean()
    .nullish()
    .transform((v) => v ?? false),
  mobile: optionalText(32),
  wecomUserId: optionalText(128),
  dingtalkUserId: optionalText(128),
  /** 机关党委 staff: org-wide reads, 绑定 any branch. */
  orgAdmin: z
    .boolean()
    .nullish()
    .transform((v) => v ?? false),
});

/** POST …/members/:member/leave: when (default now) and why. */
export const leaveSchema = z.strictObject({
  at: z.union([z.number().int().nonnegative(), z.string().min(1)]).optional(),
  reason: optionalText(200),
});

export type MemberBody = z.output<typeof memberSchema>;

export const overrideSchema = z.strictObject({
  kind: z.enum(['holiday', 'workday']),
  name: optionalText(100),
});

export const runSchema = z.strictObject({
  week: z.string().optional(),
  branch: id.optional(),
});

/** Long lists come in pages: `limit` items (default 100) after the id `after`; `next` continues. */
export const pageSchema = z.strictObject({
  limit: z.coerce.number().int().min(1).max(500).default(100),
  after: id.optional(),
});

export const memberFilterSchema = pageSchema.extend({ branch: id.optional(), status: z.enum(['active', 'left']).optional() });

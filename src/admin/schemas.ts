import { z } from 'zod';
import { isTimeZone } from '../core/config.ts';
import { isCron } from '../core/cron.ts';
import { ACCOUNT_FIELDS } from '../../db/members.ts';
import type { AccountPlatform, MemberAccounts } from '../domain/records.ts';
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
  /** The platform departments whose people are the branch's members (read from the directory). */
  departments: z
    .array(
      z.strictObject({
        channel: id,
        departmentId: z
          .union([
            z
              .string()
              .trim()
              .regex(/^\d{1,19}$/, 'expects the department id the platform gives (digits)'),
            z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER),
          ])
          .transform(String),
        /** With every department under it. */
        includeSub: z.boolean().default(false),
      }),
    )
    .max(100)
    .default([]),
});

/** POST …/directory/apply: a preview as …/directory/preview gave it, and the confirmation a mapped department without people needs. */
export const directoryApplySchema = z.strictObject({
  preview: z.looseObject({ basis: z.string().regex(/^[0-9a-f]{64}$/, 'expects the basis of a preview') }),
  confirmEmpty: z.boolean().default(false),
});

export const ROLES = ['secretary', 'committee', 'member'] as const;

/** The fields of a member's body; memberSchema reads them into a MemberBody. */
export const memberFields = z.strictObject({
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

export { ACCOUNT_FIELDS };
export type AccountField = (typeof ACCOUNT_FIELDS)[AccountPlatform];
/** The platforms in the order of their fields: of two accounts already taken, the first is the one a refusal names. */
export const ACCOUNT_ORDER = Object.keys(ACCOUNT_FIELDS) as AccountPlatform[];

/** A member's body as the service reads it: her accounts by platform, as the rest of the code names them. */
export const memberSchema = memberFields.transform(({ dingtalkUserId, wecomUserId, ...body }) => {
  const accounts: MemberAccounts = {};
  if (dingtalkUserId) accounts.dingtalk = dingtalkUserId;
  if (wecomUserId) accounts.wecom = wecomUserId;
  return { ...body, accounts };
});

/** A member's accounts as the API's fields: null where she has none (its JSON output, and a body read again). */
export const accountFields = (accounts: MemberAccounts): Record<AccountField, string | null> => ({
  wecomUserId: accounts.wecom ?? null,
  dingtalkUserId: accounts.dingtalk ?? null,
});

/** A body as the API's fields, as memberSchema reads it. */
export const bodyFields = ({ accounts, ...body }: MemberBody): z.input<typeof memberFields> => ({ ...body, ...accountFields(accounts) });

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

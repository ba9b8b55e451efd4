import { z } from 'zod';
import { parseIsoDate } from '../../../domain/calendar.ts';
import { fromLocal } from '../../../domain/time.ts';
import { FIELD_LABELS, inChinese } from '../../chinese.ts';
import { firstIssue } from '../../http.ts';
import { ACCOUNT_FIELDS, type MemberBody, bodyFields, memberSchema } from '../../schemas.ts';
import { type Form, file, flag, note, raw, text } from './fields.ts';

// The members pages' forms: a member's edit form, her leave, and the CSV import. Each reads the
// posted fields into what the shared writes (../members.ts, ../members-import.ts) take, or the
// sentence the page shows; the policy and the writes are the route's to call.

/** A field's problem as the edit form shows it: 「姓名：不能为空」. */
export const fieldError = (field: string, reason: string) => `${FIELD_LABELS[field] ?? field}：${inChinese(field, reason)}`;

export type FormRead<T> = { ok: true; value: T } | { ok: false; error: string };

const editFields = z.object({
  name: text,
  branch: text,
  role: text,
  group: text,
  mobile: text,
  [ACCOUNT_FIELDS.wecom]: text,
  [ACCOUNT_FIELDS.dingtalk]: text,
  probationary: flag,
  orgAdminShown: flag,
  orgAdmin: flag,
});

/**
 * The edit form over the member as stored: a field the form does not send keeps its stored value
 * (the form offers only what the viewer may change); one sent empty clears it. What is sent is the
 * policy's to judge, when it is written.
 */
export function memberEditForm(form: Form, member: MemberBody): FormRead<MemberBody> {
  const f = editFields.parse(form);
  const stored = bodyFields(member);
  const optional = (value: string | undefined, kept: string | null | undefined) => (value === undefined ? (kept ?? null) : value || null);
  const parsed = memberSchema.safeParse({
    name: f.name ?? stored.name,
    branch: f.branch ?? stored.branch,
    role: f.role ?? stored.role,
    group: optional(f.group, stored.group),
    probationary: f.probationary,
    mobile: optional(f.mobile, stored.mobile),
    [ACCOUNT_FIELDS.wecom]: optional(f[ACCOUNT_FIELDS.wecom], stored[ACCOUNT_FIELDS.wecom]),
    [ACCOUNT_FIELDS.dingtalk]: optional(f[ACCOUNT_FIELDS.dingtalk], stored[ACCOUNT_FIELDS.dingtalk]),
    orgAdmin: f.orgAdminShown ? f.orgAdmin : stored.orgAdmin,
  });
  if (parsed.success) return { ok: true, value: parsed.data };
  const { field, reason } = firstIssue(parsed.error);
  return { ok: false, error: fieldError(field, reason) };
}

const leaveFields = z.object({ at: text, reason: note(200) });

/**
 * The leave form: the day she left (midnight in the org's zone; now when not given) and the reason.
 * The form's date field sends YYYY-MM-DD; a request made by hand is checked all the same.
 */
export function leaveForm(form: Form, tz: string, now: number): FormRead<{ at: number; reason: string | null }> {
  const f = leaveFields.parse(form);
  const date = f.at ? parseIsoDate(f.at) : null;
  if (f.at && !date) return { ok: false, error: '离开日期：请选择日期，或写成 2026-12-01 这样的日期。' };
  return { ok: true, value: { at: date ? fromLocal(date, tz) : now, reason: f.reason } };
}

const importFields = z.object({ file, csv: raw, confirm: flag });

/**
 * The import form: the CSV of the upload (first step) or of the confirm form, which carries it back
 * base64-encoded; null when neither holds one. `confirm` writes it; without, it is only checked.
 */
export async function importForm(form: Form): Promise<{ csv: Buffer | null; confirm: boolean }> {
  const f = importFields.parse(form);
  if (f.file && f.file.size > 0) return { csv: Buffer.from(await f.file.arrayBuffer()), confirm: f.confirm };
  return { csv: f.csv ? Buffer.from(f.csv, 'base64') : null, confirm: f.confirm };
}

import { z } from 'zod';
import { type Form, flag, raw, text } from './fields.ts';
import type { FormRead } from './members.ts';

// The directory pages' forms: the apply of a preview shown (its basis, and the confirmation a mapped
// department without people needs), and a branch's department added or taken off.

const applyFields = z.object({
  basis: raw.transform((v) => (v !== undefined && /^[0-9a-f]{64}$/.test(v) ? v : null)),
  confirmEmpty: flag,
});

/** The apply form: the basis of the preview the page showed; null without one. */
export function applyForm(form: Form): { basis: string; confirmEmpty: boolean } | null {
  const { basis, confirmEmpty } = applyFields.parse(form);
  return basis ? { basis, confirmEmpty } : null;
}

const departmentFields = z.object({ channel: text, departmentId: text, includeSub: flag });

/** A department of a channel, as the add and remove forms send it; the platform's ids are digits. */
export function departmentForm(form: Form): FormRead<{ channel: string; departmentId: string; includeSub: boolean }> {
  const { channel, departmentId, includeSub } = departmentFields.parse(form);
  if (!channel) return { ok: false, error: '请选择渠道。' };
  if (!departmentId || !/^\d{1,19}$/.test(departmentId)) return { ok: false, error: '部门编号应为平台给出的数字编号。' };
  return { ok: true, value: { channel, departmentId, includeSub } };
}

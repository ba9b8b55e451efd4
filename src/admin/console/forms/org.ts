import { z } from 'zod';
import { parseIsoDate } from '../../../domain/calendar.ts';
import type { OverrideKind } from '../../../domain/calendar.ts';
import { type Form, note, oneOf, raw } from './fields.ts';

// The org pages' forms: a channel's test message and a working-day override. Each reads the posted
// fields, or says nothing was chosen; the policy and the writes are the route's to call.

/** Whom a channel's test message goes to: one of its bound group chats, or the viewer herself. */
export type TestRecipient = { kind: 'chat'; chatId: string } | { kind: 'me' };

const testFields = z.object({ to: raw });

/** The test form's recipient (`chat:<id>` or `me`); null when none is chosen. */
export function channelTestForm(form: Form): TestRecipient | null {
  const { to = '' } = testFields.parse(form);
  if (to.startsWith('chat:')) return { kind: 'chat', chatId: to.slice(5) };
  return to === 'me' ? { kind: 'me' } : null;
}

const overrideFields = z.object({
  date: raw.transform((v) => (v !== undefined && parseIsoDate(v) ? v : null)),
  kind: oneOf<OverrideKind>(['workday', 'holiday']),
  name: note(50),
});

/** The calendar form: a date, whether it is a holiday or a working day, and its name; null without a date and a kind. */
export function overrideForm(form: Form): { date: string; kind: OverrideKind; name: string | null } | null {
  const { date, kind, name } = overrideFields.parse(form);
  return date && kind ? { date, kind, name } : null;
}

import { z } from 'zod';

// How a console form's fields are read: a browser sends every field as text, and a request made by
// hand may send anything, so a field that is not what it should be counts as not sent, never as an
// error; what a value must be is checked after (the admin API's schemas, dates, the policy).

/** A posted form, as the session's check (checkedForm) hands it on. */
export type Form = Record<string, string | File>;

/** A text field, trimmed; undefined when it is not sent (or not text). */
export const text = z.string().trim().optional().catch(undefined);

/** A text field as sent, untrimmed (base64, ids); undefined when not sent. */
export const raw = z.string().optional().catch(undefined);

/** A checkbox or hidden flag: on only when it sends `1`. */
export const flag = raw.transform((v) => v === '1');

/** Free text cut to `max` characters; null when empty or not sent. */
export const note = (max: number) => text.transform((v) => (v ? v.slice(0, max) : null));

/** One of `values`; null for anything else or nothing. */
export const oneOf = <const V extends string>(values: readonly V[]) =>
  raw.transform((v): V | null => ((values as readonly string[]).includes(v ?? '') ? (v as V) : null));

/** An uploaded file; undefined when none is sent. */
export const file = z.instanceof(File).optional().catch(undefined);

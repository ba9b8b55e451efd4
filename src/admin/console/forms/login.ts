import { z } from 'zod';
import { type Form, raw } from './fields.ts';

// The sign-in form: the page a 控制台 link opens posts the link's token; IT's form posts ADMIN_TOKEN.

export type SignIn = { kind: 'link'; token: string } | { kind: 'token'; token: string } | { kind: 'none' };

const signInFields = z.object({ t: raw, token: raw });

/** What the sign-in form carries: a link's token first, as the link's page sends nothing else. */
export function signInForm(form: Form): SignIn {
  const { t, token } = signInFields.parse(form);
  if (t !== undefined) return { kind: 'link', token: t };
  return token === undefined ? { kind: 'none' } : { kind: 'token', token };
}

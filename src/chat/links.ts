import { createLink } from '../../db/links.ts';
import type { OneTimeLinkTable } from '../../db/schema.ts';
import { newLinkToken } from '../core/ids.ts';
import { CONSOLE_PATH, FILES_PATH, type MemberContext } from './context.ts';

// Links a command gives out that work once, for 10 minutes: written in the command's transaction,
// so the link in the reply exists exactly when the reply does.

export const LINK_MINUTES = 10;

const PATHS: Record<OneTimeLinkTable['purpose'], (token: string) => string> = {
  download: (token) => `${FILES_PATH}/${token}`,
  login: (token) => `${CONSOLE_PATH}/login?t=${token}`,
};

/** A one-time link for the sender under `base` (PUBLIC_URL); only its token's hash is stored. */
export async function issueLink(ctx: MemberContext, base: string, purpose: OneTimeLinkTable['purpose'], payload: string): Promise<string> {
  const now = ctx.clock.now();
  const { token, hash } = newLinkToken();
  await createLink(ctx.db, {
    id: hash,
    purpose,
    org_id: ctx.member.org_id,
    member_id: ctx.member.id,
    payload,
    created_at: now,
    expires_at: now + LINK_MINUTES * 60_000,
  });
  return `${base}${PATHS[purpose](token)}`;
}

import { writeAudit } from '../../db/audit.ts';
import { createLink } from '../../db/links.ts';
import type { Database, Member } from '../../db/schema.ts';
import type { Kysely } from 'kysely';
import { newLinkToken } from '../core/ids.ts';
import { CONSOLE_PATH } from './context.ts';

// A console sign-in link works once, for 10 minutes, and reaches only its owner: it is made when
// the private message that carries it is sent, so that no reply, queue or table ever holds it
// readable; the database keeps a hash of its token, and the trail that it was issued.

export const LINK_MINUTES = 10;
export const LINK_MS = LINK_MINUTES * 60_000;

/** A new sign-in link for `member` under `base` (PUBLIC_URL), stored as its hash, on the trail. */
export async function mintSignInLink(db: Kysely<Database>, member: Member, base: string, channelId: string, now: number): Promise<string> {
  const { token, hash } = newLinkToken();
  await db.transaction().execute(async (trx) => {
    await createLink(trx, {
      id: hash,
      purpose: 'login',
      org_id: member.org_id,
      member_id: member.id,
      payload: '{}',
      created_at: now,
      expires_at: now + LINK_MS,
    });
    await writeAudit(trx, {
      at: now,
      orgId: member.org_id,
      actor: { kind: 'member', id: member.id, name: member.name },
      action: 'link.issue',
      object: `member:${member.id}`,
      detail: { channel: channelId },
      address: null,
      result: 'ok',
    });
  });
  return `${base}${CONSOLE_PATH}/login?t=${token}`;
}

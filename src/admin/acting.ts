import type { Context } from 'hono';
import { writeAudit } from '../../db/audit.ts';
import type { Db } from '../../db/schema.ts';
import { type AuditAction, type AuditActor, type AuditEntry, IT_ACTOR } from '../domain/audit.ts';
import type { AuditedChange } from '../domain/audit.ts';
import { type ActingMember, type Actor, type Refusal, decide, type Target } from '../domain/policy.ts';
import type { Config } from '../core/config.ts';
import { clientAddress } from './client-address.ts';
import { Problem } from './http.ts';

// Who is acting on the admin surfaces (the admin API is IT; the console is IT or a signed-in
// member), from where: what the policy decides on and what the trail records.

export interface Acting {
  actor: Actor;
  who: AuditActor;
  address: string | null;
}

export const itActing = (address: string | null): Acting => ({ actor: { kind: 'it' }, who: IT_ACTOR, address });

/** The admin API's caller: the bearer of ADMIN_TOKEN, from the request's address. */
export const apiActing = (c: Context, config: Pick<Config, 'TRUST_PROXY'>): Acting => itActing(clientAddress(c, config));

export const memberActing = (member: ActingMember & { name: string }, address: string | null): Acting => ({
  actor: { kind: 'member', member },
  who: { kind: 'member', id: member.id, name: member.name },
  address,
});

/** A change the policy refused: what was asked, and why. */
export class Refused extends Problem {
  constructor(
    readonly action: AuditedChange,
    readonly why: Refusal,
  ) {
    super(why === 'scope' ? 404 : 403, `${action}: refused (${why})`);
  }
}

/** Throws Refused unless the policy lets `acting` do `action` to `target`. */
export function authorise(acting: Acting, action: AuditedChange, target: Target): void {
  const decision = decide(acting.actor, action, target);
  if (!decision.ok) throw new Refused(action, decision.why);
}

/** Appends to the trail, in `db`'s transaction, what `acting` did. */
export function audit(
  db: Db,
  acting: Acting,
  entry: {
    at: number;
    orgId: string | null;
    action: AuditAction;
    object: string | null;
    detail?: Record<string, unknown>;
    result?: AuditEntry['result'];
  },
): Promise<void> {
  return writeAudit(db, { result: 'ok', ...entry, actor: acting.who, address: acting.address });
}

/** Appends to the trail a change the policy refused `acting`: an entry of its own, as nothing else is written. */
export function auditRefused(
  db: Db,
  acting: Acting,
  refused: Refused,
  entry: { at: number; orgId: string | null; object: string; detail?: Record<string, unknown> },
): Promise<void> {
  return audit(db, acting, { ...entry, action: refused.action, result: 'refused' });
}

/**
 * Appends to the trail a console sign-in turned away: as the link's member when the link names one,
 * else as whom the attempt claimed to be (`who` names why it is unknown); `reason` says what failed.
 */
export function auditSignInRefused(
  db: Db,
  who: AuditActor,
  entry: { at: number; orgId: string | null; reason: string; address: string | null },
): Promise<void> {
  return writeAudit(db, {
    at: entry.at,
    orgId: entry.orgId,
    actor: who,
    action: 'session.signin',
    object: who.kind === 'member' && who.id ? `member:${who.id}` : null,
    detail: { reason: entry.reason },
    address: entry.address,
    result: 'refused',
  });
}

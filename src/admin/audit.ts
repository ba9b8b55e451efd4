import { Hono } from 'hono';
import { z } from 'zod';
import { type AuditFilter, listAudit } from '../../db/audit.ts';
import type { AuditLogTable } from '../../db/schema.ts';
import { isoWithOffset } from '../domain/time.ts';
import type { ServiceDeps } from './deps.ts';
import { check, handle, instantField } from './http.ts';
import { orgOfPath } from './path.ts';
import { pageSchema } from './schemas.ts';

// GET /admin/orgs/:org/audit: the org's trail (and what every org shares: the calendar, IT's
// sign-ins), oldest first, in pages. The trail is only ever appended to: no route edits or deletes it.

export const auditQuerySchema = pageSchema.extend({
  from: z.string().optional(),
  to: z.string().optional(),
  /** A member's id, `it`, or `system` (the directory sync). */
  actor: z.string().max(64).optional(),
  action: z.string().max(48).optional(),
});

export const auditJson = (row: AuditLogTable, tz: string) => ({
  id: row.id,
  at: isoWithOffset(row.at, tz),
  org: row.org_id,
  actor: { kind: row.actor_kind, id: row.actor_id, name: row.actor_name },
  action: row.action,
  object: row.object,
  detail: row.detail === null ? null : (JSON.parse(row.detail) as unknown),
  address: row.address,
  result: row.result,
});

/** The filter of a query's `from`, `to`, `actor` and `action`, times read in `tz`. */
export function auditFilter(query: Pick<z.output<typeof auditQuerySchema>, 'from' | 'to' | 'actor' | 'action'>, tz: string): AuditFilter {
  const from = instantField('from', query.from, tz);
  // A day given as `to` is taken whole: to=2026-12-31 includes the 31st.
  const end = instantField('to', query.to, tz);
  const to = end === undefined ? undefined : end + (/^\d{4}-\d{2}-\d{2}$/.test(query.to!.trim()) ? 86_400_000 : 0);
  return {
    ...(from !== undefined ? { from } : {}),
    ...(to !== undefined ? { to } : {}),
    ...(query.actor ? { actor: query.actor } : {}),
    ...(query.action ? { action: query.action } : {}),
  };
}

export function auditRoutes(deps: Pick<ServiceDeps, 'db'>): Hono {
  const { db } = deps;
  const app = new Hono();
  app.get(
    '/orgs/:org/audit',
    handle(async (c) => {
      const org = await orgOfPath(db, c);
      const query = check(auditQuerySchema, c.req.query());
      const rows = await listAudit(db, org.id, auditFilter(query, org.timezone), query.after ?? '', query.limit + 1);
      const items = rows.slice(0, query.limit);
      return c.json({ items: items.map((r) => auditJson(r, org.timezone)), next: rows.length > query.limit ? items.at(-1)!.id : null });
    }),
  );
  return app;
}

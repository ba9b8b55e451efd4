import type { OrgTable } from '../../db/schema.ts';
import { isoWithOffset } from '../domain/time.ts';

/** An org as the admin API shows it (PUT's answer and the reads). */
export const orgJson = (o: OrgTable) => ({
  id: o.id,
  name: o.name,
  timezone: o.timezone,
  digestCron: o.digest_cron,
  createdAt: isoWithOffset(o.created_at, o.timezone),
  updatedAt: isoWithOffset(o.updated_at, o.timezone),
});

import type { Db } from './schema.ts';
import { upsert } from './upsert.ts';

export async function getServiceState(db: Db, key: string): Promise<string | undefined> {
  return (await db.selectFrom('service_state').select('value').where('key', '=', key).executeTakeFirst())?.value;
}

export async function putServiceState(db: Db, key: string, value: string, now: number): Promise<void> {
  await upsert(db, 'service_state', { key, value, updated_at: now }, ['key'], ['value', 'updated_at']);
}

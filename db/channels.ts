import { type Channel, type ChannelConfig, DEFAULT_BOT_NAME, channelConfigSchema } from '../src/domain/channels.ts';
import type { Db } from './schema.ts';
import { upsert } from './upsert.ts';

export async function putChannel(db: Db, orgId: string, id: string, config: ChannelConfig, now: number): Promise<void> {
  await upsert(
    db,
    'channels',
    { id, org_id: orgId, platform: config.platform, config: JSON.stringify(config), created_at: now, updated_at: now },
    ['id'],
    ['platform', 'config', 'updated_at'],
  );
}

const toChannel = (row: { id: string; org_id: string; config: string }): Channel => ({
  id: row.id,
  orgId: row.org_id,
  config: channelConfigSchema.parse(JSON.parse(row.config)),
});

export async function getChannel(db: Db, id: string): Promise<Channel | undefined> {
  const row = await db.selectFrom('channels').select(['id', 'org_id', 'config']).where('id', '=', id).executeTakeFirst();
  return row && toChannel(row);
}

/** The org a channel belongs to, without reading its credentials. */
export async function getChannelOrg(db: Db, id: string): Promise<string | undefined> {
  const row = await db.selectFrom('channels').select('org_id').where('id', '=', id).executeTakeFirst();
  return row?.org_id;
}

/** The org's channels as the admin API shows them: never a credential, only what names the bot. */
export async function listChannelSummaries(db: Db, orgId: string): Promise<{ id: string; platform: string; botName: string | null }[]> {
  const rows = await db.selectFrom('channels').select(['id', 'platform', 'config']).where('org_id', '=', orgId).orderBy('id').execute();
  return rows.map((r) => ({ id: r.id, platform: r.platform, botName: channelConfigSchema.parse(JSON.parse(r.config)).botName ?? null }));
}

/** The org's channels with their settings, in id order. */
export async function listOrgChannels(db: Db, orgId: string): Promise<Channel[]> {
  const rows = await db.selectFrom('channels').select(['id', 'org_id', 'config']).where('org_id', '=', orgId).orderBy('id').execute();
  return rows.map(toChannel);
}

/** What members call the bot on each of the org's channels (the channel's botName, else the default). */
export async function botNames(db: Db, orgId: string): Promise<Map<string, string>> {
  const rows = await db.selectFrom('channels').select(['id', 'config']).where('org_id', '=', orgId).execute();
  return new Map(rows.map((r) => [r.id, channelConfigSchema.parse(JSON.parse(r.config)).botName ?? DEFAULT_BOT_NAME]));
}

/** Every channel of `platform`, with its credentials (for the process that keeps long connections). */
export async function listPlatformChannels(db: Db, platform: ChannelConfig['platform']): Promise<Channel[]> {
  const rows = await db.selectFrom('channels').select(['id', 'org_id', 'config']).where('platform', '=', platform).orderBy('id').execute();
  return rows.map(toChannel);
}

/**
 * The org's channels with their settings and when each one's latest kept callback arrived (null
 * when none is), for the console's checklist: one query, however many channels.
 */
export async function listOrgChannelChecks(db: Db, orgId: string): Promise<(Channel & { lastInboundAt: number | null })[]> {
  const rows = await db
    .selectFrom('channels')
    .select((eb) => [
      'id',
      'org_id',
      'config',
      eb
        .selectFrom('inbound_events')
        .select((sub) => sub.fn.max('inbound_events.received_at').as('at'))
        .whereRef('inbound_events.channel_id', '=', 'channels.id')
        .as('last_at'),
    ])
    .where('org_id', '=', orgId)
    .orderBy('id')
    .execute();
  return rows.map((r) => ({ ...toChannel(r), lastInboundAt: r.last_at === null || r.last_at === undefined ? null : r.last_at }));
}

/** The org's channels with their settings, for what is counted per org (quotas). */
export async function listOrgChannelConfigs(db: Db, orgId: string): Promise<Channel[]> {
  const rows = await db.selectFrom('channels').select(['id', 'org_id', 'config']).where('org_id', '=', orgId).orderBy('id').execute();
  return rows.map(toChannel);
}

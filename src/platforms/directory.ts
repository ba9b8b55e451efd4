import { channelHasDepartments } from '../../db/branch-departments.ts';
import { requestDirectorySync } from '../../db/directory-syncs.ts';
import type { Db } from '../../db/schema.ts';
import type { Channel } from '../domain/channels.ts';
import type { DepartmentMapping, DirectorySnapshot } from '../domain/directory.ts';
import type { AccountPlatform } from '../domain/records.ts';
import type { SendContext } from './adapter.ts';
import { adapterFor } from './index.ts';
import { DirectoryError, type DirectoryReader, type NamedDepartment } from './shared/directory.ts';

// The platforms' directories as the preview reads them: each channel that a branch maps departments
// of, read for those departments (with those under them where the mapping says so) and the people
// in them. Any failure fails the whole read, naming the channel: a preview of half a directory
// would show everyone in the other half as gone. A platform's word that a directory changed is
// recorded here for the directory sync (jobs/directory-sync.ts) to read it again.

export { DirectoryError, type NamedDepartment, TOP_DEPARTMENT } from './shared/directory.ts';

/** The channel's directory reader and the accounts its people are; null when its platform gives no directory. */
export function directoryOf(ctx: SendContext, channel: Channel): { reader: DirectoryReader; platform: AccountPlatform } | null {
  const adapter = adapterFor(channel);
  if (!adapter.directory || adapter.account === null || adapter.account === 'any') return null;
  return { reader: adapter.directory(ctx), platform: adapter.account };
}

/** Whether the channel's platform gives a directory whose people are members' accounts. */
export function readsDirectory(channel: Channel): boolean {
  const adapter = adapterFor(channel);
  return adapter.directory !== null && adapter.account !== null && adapter.account !== 'any';
}

/**
 * The departments right under `under` in the channel's directory, for an org admin to pick from: a
 * level at a time, so that a large tree costs a call a level looked at. Throws DirectoryError naming the channel.
 */
export async function departmentChildren(ctx: SendContext, channel: Channel, under: string): Promise<NamedDepartment[]> {
  const directory = directoryOf(ctx, channel);
  if (!directory) throw new DirectoryError('permission', `channel ${channel.id} has no directory`, null, null, under, channel.id);
  try {
    return await directory.reader.children(under);
  } catch (err) {
    throw err instanceof DirectoryError ? err.of(channel.id) : err;
  }
}

/** Whether the channel's directory has the department: throws DirectoryError (naming the channel) when it has not, or cannot say. */
export async function checkDepartment(ctx: SendContext, channel: Channel, departmentId: string): Promise<void> {
  const directory = directoryOf(ctx, channel);
  if (!directory) throw new DirectoryError('permission', `channel ${channel.id} has no directory`, null, null, departmentId, channel.id);
  try {
    await directory.reader.departments(departmentId, false);
  } catch (err) {
    throw err instanceof DirectoryError ? err.of(channel.id) : err;
  }
}

/** What the mappings name of the org's channels' directories. Throws DirectoryError naming the channel. */
export async function readDirectory(
  ctx: SendContext,
  channels: readonly Channel[],
  mappings: readonly DepartmentMapping[],
): Promise<DirectorySnapshot> {
  const snapshot: DirectorySnapshot = { channels: [], departments: [], people: [] };
  const channelIds = [...new Set(mappings.map((m) => m.channel))].sort();
  for (const channelId of channelIds) {
    const channel = channels.find((c) => c.id === channelId);
    const directory = channel && directoryOf(ctx, channel);
    if (!directory) throw new DirectoryError('permission', `channel ${channelId} has no directory`, null, null, null, channelId);
    try {
      const parents = new Map<string, string | null>();
      // A department read as another's child knows its parent; read as a mapping's root it does not.
      for (const m of mappings.filter((x) => x.channel === channelId))
        for (const d of await directory.reader.departments(m.departmentId, m.includeSub))
          if ((parents.get(d.id) ?? null) === null) parents.set(d.id, d.parentId);
      const people = await directory.reader.people([...parents.keys()]);
      snapshot.channels.push({ id: channelId, platform: directory.platform });
      for (const [id, parentId] of parents) snapshot.departments.push({ channel: channelId, id, parentId });
      for (const p of people) snapshot.people.push({ channel: channelId, platform: directory.platform, ...p });
    } catch (err) {
      throw err instanceof DirectoryError ? err.of(channelId) : err;
    }
  }
  return snapshot;
}

/**
 * A platform's word that the channel's directory changed (a change event): when a branch maps
 * departments of the channel, a sync of its org is counted as wanted. Called before the platform is
 * answered, so that an acknowledged event is never lost; throws when the database cannot take it.
 */
export async function directoryChanged(db: Db, channel: Channel, now: number): Promise<boolean> {
  if (!(await channelHasDepartments(db, channel.id))) return false;
  await requestDirectorySync(db, channel.orgId, now);
  return true;
}

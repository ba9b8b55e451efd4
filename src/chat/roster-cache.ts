import type { Kysely } from 'kysely';
import type { Clock } from '../core/clock.ts';
import type { Database, Db, MemberTable, OrgTable } from '../../db/schema.ts';
import { getOrg } from '../../db/orgs.ts';
import { type PlatformUserColumn, type RosterMember, findMemberByPlatformUser, getMember, listBranchRoster } from '../../db/members.ts';
import { rosterVersion } from '../../db/roster-versions.ts';

interface Entry<T> {
  value: Readonly<T>;
  until: number;
  version: number;
}

/** Past this many entries the map starts over, so a burst of senders cannot grow it without bound. */
const MAX_ENTRIES = 100_000;

/**
 * The org and the sender every command needs, and a branch's roster (签到 and the other meeting
 * commands read it), kept for `ttlMs` (issue #15: a burst of 签到 read each branch's members once
 * a check-in). A write in this process (db/roster-versions.ts) is seen by the next command; another
 * process's within the TTL. Unknown orgs and senders are not kept: a newly registered member is
 * known at once. Values are frozen, as they are shared by the commands that read them.
 */
export class RosterCache {
  private readonly entries = new Map<string, Entry<unknown>>();

  constructor(
    private readonly db: Kysely<Database>,
    private readonly clock: Clock,
    private readonly ttlMs: number,
  ) {}

  org(id: string): Promise<Readonly<OrgTable> | undefined> {
    return this.read(`org\n${id}`, id, () => getOrg(this.db, id));
  }

  /** A member by their id (the console) or by their id on a platform. */
  member(orgId: string, by: PlatformUserColumn | 'id', value: string): Promise<Readonly<MemberTable> | undefined> {
    return this.read(`${by}\n${orgId}\n${value}`, orgId, () =>
      by === 'id' ? getMember(this.db, orgId, value) : findMemberByPlatformUser(this.db, orgId, by, value),
    );
  }

  /**
   * A branch's roster over time (listBranchRoster), by id, read on a miss through `db`: the command's
   * transaction, which holds SQLite's one connection. No command writes members, so what it reads
   * there is what others would.
   */
  async branch(db: Db, orgId: string, branchId: string): Promise<readonly RosterMember[]> {
    return (await this.read(`branch\n${orgId}\n${branchId}`, orgId, () => listBranchRoster(db, orgId, branchId)))!;
  }

  private async read<T extends object>(key: string, orgId: string, load: () => Promise<T | undefined>): Promise<Readonly<T> | undefined> {
    const now = this.clock.now();
    const hit = this.entries.get(key);
    if (hit && hit.until > now && hit.version === rosterVersion(orgId)) return hit.value as Readonly<T>;
    // Taken before the read: a write while it runs leaves the entry outdated at once.
    const version = rosterVersion(orgId);
    const value = await load();
    if (value === undefined) {
      this.entries.delete(key);
      return undefined;
    }
    if (this.entries.size >= MAX_ENTRIES) this.entries.clear();
    const frozen = Object.freeze(value);
    this.entries.set(key, { value: frozen, until: now + this.ttlMs, version });
    return frozen;
  }
}

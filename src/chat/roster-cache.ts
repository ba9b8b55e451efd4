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
    return this.read(memberKey(by, orgId, value), orgId, () =>
      by === 'id' ? getMember(this.db, orgId, value) : findMemberByPlatformUser(this.db, orgId, by, value),
    );
  }

  /**
   * A branch's roster over time (listBranchRoster), by id, read on a miss through `db`: the command's
   * transaction, which holds SQLite's one connection. No command writes members, so what it reads
   * there is what others would.
   */
  async branch(db: Db, orgId: string, branchId: string): Promise<readonly RosterMember[]> {
    return (await this.read(`branch\n${orgId}\n${branchId}`, orgId, async (keep) => {
      const roster = await listBranchRoster(db, orgId, branchId);
      // A group's members are its next senders (a 签到 burst: 50 of them a meeting): the rows just
      // read answer their lookups, which the unique (org, platform id) indexes make the same rows.
      for (const { terms: _, ...member } of roster) {
        const row = Object.freeze(member);
        keep(memberKey('id', orgId, member.id), row);
        for (const column of PLATFORM_COLUMNS) if (member[column]) keep(memberKey(column, orgId, member[column]), row);
      }
      return roster;
    }))!;
  }

  /** `load` may `keep` other entries it has read, under the same version and TTL. */
  private async read<T extends object>(
    key: string,
    orgId: string,
    load: (keep: (key: string, value: object) => void) => Promise<T | undefined>,
  ): Promise<Readonly<T> | undefined> {
    const now = this.clock.now();
    const hit = this.entries.get(key);
    if (hit && hit.until > now && hit.version === rosterVersion(orgId)) return hit.value as Readonly<T>;
    // Taken before the read: a write while it runs leaves the entry outdated at once.
    const version = rosterVersion(orgId);
    const keep = (k: string, value: object) => {
      if (this.entries.size >= MAX_ENTRIES) this.entries.clear();
      this.entries.set(k, { value: Object.freeze(value), until: now + this.ttlMs, version });
    };
    const value = await load(keep);
    if (value === undefined) {
      this.entries.delete(key);
      return undefined;
    }
    keep(key, value);
    return value as Readonly<T>;
  }
}

const PLATFORM_COLUMNS: readonly PlatformUserColumn[] = ['dingtalk_user_id', 'wecom_user_id'];
const memberKey = (by: PlatformUserColumn | 'id', orgId: string, value: string) => `${by}\n${orgId}\n${value}`;

import DataLoader from 'dataloader';
import type { Kysely } from 'kysely';
import type { Clock } from '../core/clock.ts';
import type { AccountPlatform, Database, Db, Member, OrgTable } from '../../db/schema.ts';
import { getOrg } from '../../db/orgs.ts';
import { type RosterMember, findMembersBy, listBranchRoster, listBranchRosters } from '../../db/members.ts';
import { rosterVersion, storedRosterVersion } from '../../db/roster-versions.ts';
import { byRole } from '../domain/meetings.ts';
import { ACCOUNT_PLATFORMS } from '../domain/records.ts';

/** A branch whose roster a command will read. */
export interface RosterBranch {
  orgId: string;
  branchId: string;
}

/** The branches' ids, each once, by org: what a batch reads with one statement an org. */
export function branchesByOrg(branches: readonly RosterBranch[]): Map<string, Set<string>> {
  const byOrg = new Map<string, Set<string>>();
  for (const { orgId, branchId } of branches) byOrg.set(orgId, (byOrg.get(orgId) ?? new Set()).add(branchId));
  return byOrg;
}

type Keep = (key: string, value: object) => void;

/** The values the cache keeps, by identity (not by content): see `isKept`. */
const KEPT = new WeakSet<object>();

/**
 * Whether `value` is one the cache keeps (or kept). Such a value never changes: it is frozen (its
 * own fields; the members in it are not changed by any code either), and a write makes the cache
 * read a new one rather than change it. So what is worked out from it may
 * be remembered with it, in a WeakMap keyed by it, and stays true for as long as it is reachable
 * (meeting-lookup.ts's `expectedAt`). A value that merely looks alike, or is frozen, is not kept.
 */
export const isKept = (value: object): boolean => KEPT.has(value);

/** `value` frozen and known as kept: what the cache stores. */
export function keptValue<T extends object>(value: T): Readonly<T> {
  KEPT.add(Object.freeze(value));
  return value;
}

interface Versions {
  now: number;
  local: number;
  stored: number;
}

interface Entry<T> {
  value: Readonly<T>;
  /** The org's versions (db/roster-versions.ts) as known before the value was read. */
  stored: number;
  local: number;
  /** Read again after this whatever the versions say: a change written into the database by hand. */
  until: number;
}

/** Senders looked up in one statement at most. */
const SENDER_BATCH = 500;
/** Past this many entries the map starts over, so a burst of senders cannot grow it without bound. */
const MAX_ENTRIES = 100_000;
/** An entry is read again after this many TTLs at most, at a random point in the last quarter of them, so that rosters read together are not all read again together. */
export const MAX_AGE_TTLS = 12;

/**
 * The org and the sender every command needs, and a branch's roster (签到 and the other meeting
 * commands read it): a burst of 签到 reads each branch's members once, not once a check-in. A write in this process is seen by the next command; another process's when this one next
 * reads the org's stored version, at most `ttlMs` later: one row an org each TTL instead of every
 * roster again. Unknown orgs and senders are not kept: a newly registered member is known at once.
 * Values are frozen, as they are shared by the commands that read them.
 */
export class RosterCache {
  private readonly entries = new Map<string, Entry<unknown>>();
  /** Each org's stored version, and until when it is taken as current. */
  private readonly checks = new Map<string, { stored: number; local: number; until: number }>();
  /**
   * Reads under way outside a transaction, by key and the versions they were begun under: a
   * command that misses the same entry meanwhile waits for the same read. Stored versions as well.
   */
  private readonly reading = new Map<string, Promise<unknown>>();
  /** Senders not kept, looked up together, by org and platform (a burst's first 签到 of 400 branches: a statement each). */
  private readonly senders = new Map<string, DataLoader<string, Member | undefined>>();

  constructor(
    private readonly db: Kysely<Database>,
    private readonly clock: Clock,
    private readonly ttlMs: number,
  ) {}

  org(id: string): Promise<Readonly<OrgTable> | undefined> {
    return this.read(`org\n${id}`, id, () => getOrg(this.db, id));
  }

  /** A member by their id (the terminal chat) or by their user id on a platform. */
  member(orgId: string, by: AccountPlatform | 'id', value: string): Promise<Readonly<Member> | undefined> {
    return this.read(memberKey(by, orgId, value), orgId, () => this.senderLoader(orgId, by).load(value));
  }

  /** Looks up the senders asked for while the event loop handles one round of input, in one statement. */
  private senderLoader(orgId: string, by: AccountPlatform | 'id'): DataLoader<string, Member | undefined> {
    const key = `${by}\n${orgId}`;
    let loader = this.senders.get(key);
    if (!loader) {
      loader = new DataLoader(
        async (values) => {
          const found = new Map((await findMembersBy(this.db, orgId, by, values)).map((m) => [by === 'id' ? m.id : m.accounts[by], m]));
          return values.map((v) => found.get(v));
        },
        // Entries are kept by `read`, under the org's versions; the loader only groups.
        { cache: false, batchScheduleFn: (run) => setImmediate(run), maxBatchSize: SENDER_BATCH },
      );
      this.senders.set(key, loader);
    }
    return loader;
  }

  /**
   * A branch's roster over time (listBranchRoster) in the order of `byRole`, read on a miss through
   * `db`: the command's transaction, which holds SQLite's one connection. No command writes
   * members, so what it reads there is what others would.
   */
  async branch(db: Db, orgId: string, branchId: string): Promise<readonly RosterMember[]> {
    const load = async (keep: Keep) => keepMembers(keep, orgId, await listBranchRoster(db, orgId, branchId));
    return (await this.read(branchKey(orgId, branchId), orgId, load, db))!;
  }

  /**
   * Reads the rosters of these branches that are not kept, together: those of the messages in one
   * batch, before their commands run (db/inbound-batch.ts). At the start of a 签到 burst, two
   * statements a batch instead of two a branch.
   */
  async preload(db: Db, branches: readonly RosterBranch[]): Promise<void> {
    for (const [orgId, ids] of branchesByOrg(branches)) {
      const versions = await this.versions(db, orgId);
      const missing = [...ids].filter((id) => this.kept(branchKey(orgId, id), versions) === undefined);
      if (missing.length === 0) continue;
      const keep = this.keeper(versions);
      for (const [id, roster] of await listBranchRosters(db, orgId, missing)) keep(branchKey(orgId, id), keepMembers(keep, orgId, roster));
    }
  }

  /** `load` may `keep` other entries it has read, under the same versions. */
  private async read<T extends object>(
    key: string,
    orgId: string,
    load: (keep: Keep) => Promise<T | undefined>,
    db: Db = this.db,
  ): Promise<Readonly<T> | undefined> {
    const versions = await this.versions(db, orgId);
    const hit = this.kept<T>(key, versions);
    if (hit) return hit;
    // Through a transaction a read is its own (SQLite's one connection is the transaction's).
    if (db !== this.db) return this.load(key, versions, load);
    return this.shared(`${key}\n${versions.local}\n${versions.stored}`, () => this.load(key, versions, load));
  }

  /** The read under way under `key`, else `start`'s, shared until it settles. */
  private shared<T>(key: string, start: () => Promise<T>): Promise<T> {
    let value = this.reading.get(key) as Promise<T> | undefined;
    if (!value) {
      value = start().finally(() => this.reading.delete(key));
      this.reading.set(key, value);
    }
    return value;
  }

  private async load<T extends object>(
    key: string,
    versions: Versions,
    load: (keep: Keep) => Promise<T | undefined>,
  ): Promise<Readonly<T> | undefined> {
    const keep = this.keeper(versions);
    const value = await load(keep);
    if (value === undefined) {
      this.entries.delete(key);
      return undefined;
    }
    keep(key, value);
    return value as Readonly<T>;
  }

  /** The org's versions now, both taken before a read: a write while it runs leaves what it read outdated. */
  private async versions(db: Db, orgId: string): Promise<Versions> {
    const now = this.clock.now();
    const local = rosterVersion(orgId);
    return { now, local, stored: await this.storedVersion(db, orgId, local, now) };
  }

  private kept<T>(key: string, { now, local, stored }: Versions): Readonly<T> | undefined {
    const hit = this.entries.get(key);
    return hit && hit.stored === stored && hit.local === local && hit.until > now ? (hit.value as Readonly<T>) : undefined;
  }

  private keeper({ now, local, stored }: Versions): Keep {
    return (key, value) => {
      if (this.entries.size >= MAX_ENTRIES) this.entries.clear();
      const until = now + this.ttlMs * MAX_AGE_TTLS * (0.75 + Math.random() / 4);
      this.entries.set(key, { value: keptValue(value), stored, local, until });
    };
  }

  /** Read again each TTL, and after a write in this process (the stored version moves with it). */
  private async storedVersion(db: Db, orgId: string, local: number, now: number): Promise<number> {
    const check = this.checks.get(orgId);
    if (check && check.until > now && check.local === local) return check.stored;
    if (db !== this.db) return this.checkStored(db, orgId, local, now);
    return this.shared(`stored\n${orgId}\n${local}`, () => this.checkStored(db, orgId, local, now));
  }

  private async checkStored(db: Db, orgId: string, local: number, now: number): Promise<number> {
    const stored = await storedRosterVersion(db, orgId);
    if (this.checks.size >= MAX_ENTRIES) this.checks.clear();
    this.checks.set(orgId, { stored, local, until: now + this.ttlMs });
    return stored;
  }
}

const memberKey = (by: AccountPlatform | 'id', orgId: string, value: string) => `${by}\n${orgId}\n${value}`;
const branchKey = (orgId: string, branchId: string) => `branch\n${orgId}\n${branchId}`;

/**
 * A group's members are its next senders (a 签到 burst: 50 of them a meeting): the roster's rows
 * answer their lookups by platform user id, which the accounts' unique (org, platform, user id) key
 * makes the same members. Not by id: only the terminal chat asks by id, and keeping 20,000 more entries at the start of a
 * burst cost it more than the terminal chat's lookups would.
 */
function keepMembers(keep: Keep, orgId: string, roster: RosterMember[]): RosterMember[] {
  for (const entry of roster) {
    // One who never moved is their row itself (listBranchRosters); only those who did are copied without their terms.
    const row = entry.terms ? withoutTerms(entry) : entry;
    for (const platform of ACCOUNT_PLATFORMS) {
      const userId = row.accounts[platform];
      if (userId) keep(memberKey(platform, orgId, userId), row);
    }
  }
  // Kept in the order its lists are read, so that no command sorts it again (a burst of 签到 sorted it at every check-in).
  return roster.sort(byRole);
}

const withoutTerms = ({ terms: _, ...member }: RosterMember): Member => member;

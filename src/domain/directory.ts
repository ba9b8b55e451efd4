import { createHash } from 'node:crypto';
import { ACCOUNT_PLATFORMS, type AccountPlatform, type Member } from './records.ts';

// The roster as the platform's directory (通讯录) has it: a branch names the departments its members
// sit in, and the preview says what would change in tongxin's roster to follow them. It only ever
// proposes: who is new, whose name changed, who moved between branches, who is no longer in any
// mapped department (marked left, never deleted). Roles, the org-admin flag, 党小组 and 预备党员 are
// tongxin's alone, and a mobile number is never read. What it cannot decide — a person in
// departments of two branches, a member who left coming back — it lists and leaves alone.

/** What was read of the platforms' directories: the departments under the mapped ones, and the people in them. */
export interface DirectorySnapshot {
  /** The channels read, with the platform whose accounts their people are. */
  channels: { id: string; platform: AccountPlatform }[];
  departments: { channel: string; id: string; parentId: string | null }[];
  /** A person as one channel lists her; `name` null where the platform does not reveal it. Never a mobile number. */
  people: DirectoryPerson[];
}

export interface DirectoryPerson {
  channel: string;
  platform: AccountPlatform;
  userId: string;
  name: string | null;
  /** Her departments in that channel, mapped or not. */
  departmentIds: string[];
}

/** A department a branch names: with every department under it when `includeSub`. A department maps to one branch. */
export interface DepartmentMapping {
  branch: string;
  channel: string;
  departmentId: string;
  includeSub: boolean;
}

/** What the preview reads of tongxin's roster. */
export type RosterEntry = Pick<Member, 'id' | 'branch_id' | 'name' | 'status' | 'accounts'>;

export interface DirectoryAccount {
  platform: AccountPlatform;
  userId: string;
}

/** A department of a channel, as the preview names it. */
export interface DepartmentRef {
  channel: string;
  department: string;
}

/** The difference between the directory and the roster: plain data, the same whenever it is computed from the same basis. */
export interface DirectoryPreview {
  /** A fingerprint of the directory, the mappings and the roster it was computed from. */
  basis: string;
  /** Not yet members: each with the id she would get; `name` null where the platform hides it (her account stands in until it is set). */
  newMembers: ({ id: string; name: string | null; account: DirectoryAccount; branch: string } & DepartmentRef)[];
  renamed: { member: string; from: string; to: string; account: DirectoryAccount }[];
  /** From one branch to another. */
  moved: ({ member: string; name: string; from: string; to: string; account: DirectoryAccount } & DepartmentRef)[];
  /** In a mapped branch, with an account the mapping reads, and in no mapped department any more: marked left if applied. */
  gone: { member: string; name: string; branch: string; account: DirectoryAccount }[];
  /** In departments of two or more branches: listed, never applied. */
  conflicts: {
    account: DirectoryAccount;
    member: string | null;
    name: string | null;
    branches: string[];
    departments: (DepartmentRef & { branch: string })[];
  }[];
  /** People whose name the platform does not reveal: a member keeps tongxin's name (`name`), a new one is listed without. */
  nameHidden: { account: DirectoryAccount; member: string | null; name: string | null }[];
  /** Members who left and are in a mapped department again: listed, not brought back. */
  returning: { member: string; name: string; branches: string[]; account: DirectoryAccount }[];
  /** Mapped departments in which the directory lists nobody: an apply needs an explicit confirmation. */
  emptyDepartments: (DepartmentRef & { branch: string })[];
}

/** The kinds of change an apply writes; the rest of a preview is for an org admin to read. */
export const CHANGE_KINDS = ['newMembers', 'renamed', 'moved', 'gone'] as const satisfies readonly (keyof DirectoryPreview)[];

/** How many changes an apply of the preview would write. */
export const changeCount = (p: DirectoryPreview): number => CHANGE_KINDS.reduce((n, kind) => n + p[kind].length, 0);

/**
 * What of a preview follows from the directory without doubt, for the sync to apply on its own: a
 * new member in a mapped department, a name as the directory gives it. A move or a departure is
 * left for an org admin to confirm, as are the kinds no apply writes (conflicts, members who left
 * and are listed again, empty departments): they stay in her next preview.
 */
export const unambiguousPart = (p: DirectoryPreview): DirectoryPreview => ({ ...p, moved: [], gone: [] });

const SEP = '\u0000';
const key = (...parts: string[]) => parts.join(SEP);
const compare = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
const accountKey = (a: DirectoryAccount) => key(a.platform, a.userId);
const byAccount = (a: { account: DirectoryAccount }, b: { account: DirectoryAccount }) =>
  compare(accountKey(a.account), accountKey(b.account));
const byMember = (a: { member: string }, b: { member: string }) => compare(a.member, b.member);

/** Characters a member id may hold (the admin API's ids); any other is replaced. */
const NOT_ID = /[^A-Za-z0-9_.-]/g;
const ID_MAX = 64;

/** A new member's id: her platform user id where it is a free id, else made one (its characters replaced, a number added). */
export function memberIdFor(userId: string, taken: ReadonlySet<string>): string {
  const base = userId.replace(NOT_ID, '_').slice(0, ID_MAX) || 'member';
  if (!taken.has(base)) return base;
  for (let n = 2; ; n++) {
    const suffix = `-${n}`;
    const id = base.slice(0, ID_MAX - suffix.length) + suffix;
    if (!taken.has(id)) return id;
  }
}

/**
 * Which branch each department of a channel belongs to: the nearest mapped department at or above it
 * that covers it (itself, or an ancestor mapped with `includeSub`), so that a department mapped
 * inside another branch's tree belongs to the branch that named it.
 */
class DepartmentTree {
  private readonly parents = new Map<string, string | null>();
  private readonly mapped = new Map<string, DepartmentMapping>();
  private readonly cache = new Map<string, DepartmentMapping | null>();

  constructor(snapshot: DirectorySnapshot, mappings: readonly DepartmentMapping[]) {
    for (const d of snapshot.departments) this.parents.set(key(d.channel, d.id), d.parentId);
    for (const m of mappings) this.mapped.set(key(m.channel, m.departmentId), m);
  }

  /** The mapping whose branch a department belongs to, if any. */
  owner(channel: string, department: string): DepartmentMapping | null {
    const k = key(channel, department);
    let found = this.cache.get(k);
    if (found === undefined) {
      found = this.upwards(channel, department).next().value ?? null;
      this.cache.set(k, found);
    }
    return found;
  }

  /** The mappings whose departments (with those under them when `includeSub`) hold this department. */
  covering(channel: string, department: string): DepartmentMapping[] {
    return [...this.upwards(channel, department)];
  }

  /** The mappings that cover a department, nearest first: its own, then each ancestor's that includes those under it. */
  private *upwards(channel: string, department: string): Generator<DepartmentMapping, undefined> {
    const seen = new Set<string>();
    let own = true;
    for (let d: string | null | undefined = department; d != null && !seen.has(d); d = this.parents.get(key(channel, d))) {
      seen.add(d);
      const m = this.mapped.get(key(channel, d));
      if (m && (own || m.includeSub)) yield m;
      own = false;
    }
  }
}

/** One person across the channels that list her (one account), with the mapped departments she is in. */
interface Found {
  account: DirectoryAccount;
  name: string | null;
  /** Each mapped department she is in, with its branch. */
  places: (DepartmentRef & { branch: string })[];
}

/** A platform hides a name by leaving it out, empty, or as the user id (WeCom's rule for apps that may not read names). */
const visibleName = (p: DirectoryPerson): string | null => {
  const name = p.name?.trim();
  return name && name !== p.userId ? name : null;
};

function gather(snapshot: DirectorySnapshot, tree: DepartmentTree): Found[] {
  const people = new Map<string, Found>();
  for (const p of snapshot.people) {
    const account = { platform: p.platform, userId: p.userId };
    const k = accountKey(account);
    const found = people.get(k) ?? { account, name: null, places: [] };
    found.name ??= visibleName(p);
    for (const department of p.departmentIds) {
      const owner = tree.owner(p.channel, department);
      if (owner) found.places.push({ channel: p.channel, department, branch: owner.branch });
    }
    people.set(k, found);
  }
  return [...people.values()];
}

const branchesOf = (places: Found['places']) => [...new Set(places.map((p) => p.branch))].sort(compare);

const placeOrder = (a: DepartmentRef, b: DepartmentRef) => compare(a.channel, b.channel) || compare(a.department, b.department);

/** The fingerprint of what a preview is computed from, in an order that does not depend on how it was read. */
export function directoryBasis(
  snapshot: DirectorySnapshot,
  mappings: readonly DepartmentMapping[],
  roster: readonly RosterEntry[],
): string {
  const canonical = {
    channels: snapshot.channels.map((c) => [c.id, c.platform]).sort((a, b) => compare(a[0]!, b[0]!)),
    departments: snapshot.departments.map((d) => key(d.channel, d.id, d.parentId ?? '')).sort(compare),
    people: snapshot.people
      .map((p) => [p.channel, p.platform, p.userId, p.name, [...p.departmentIds].sort(compare)] as const)
      .sort((a, b) => compare(key(a[0], a[2]), key(b[0], b[2]))),
    mappings: mappings
      .map((m) => [m.channel, m.departmentId, m.branch, m.includeSub] as const)
      .sort((a, b) => compare(key(a[0], a[1]), key(b[0], b[1]))),
    roster: roster
      .map((r) => [r.id, r.branch_id, r.name, r.status, ACCOUNT_PLATFORMS.map((p) => r.accounts[p] ?? null)] as const)
      .sort((a, b) => compare(a[0], b[0])),
  };
  return createHash('sha256').update(JSON.stringify(canonical)).digest('hex');
}

/**
 * What following the directory would change in the roster. Pure: the same snapshot, mappings and
 * roster give the same preview, so that an apply can compute it again and compare.
 */
export function directoryPreview(
  snapshot: DirectorySnapshot,
  mappings: readonly DepartmentMapping[],
  roster: readonly RosterEntry[],
): DirectoryPreview {
  const tree = new DepartmentTree(snapshot, mappings);
  const people = gather(snapshot, tree).filter((f) => f.places.length > 0);
  const members = new Map<string, RosterEntry>();
  for (const m of roster) for (const p of ACCOUNT_PLATFORMS) if (m.accounts[p] !== undefined) members.set(key(p, m.accounts[p]), m);

  const preview: DirectoryPreview = {
    basis: directoryBasis(snapshot, mappings, roster),
    newMembers: [],
    renamed: [],
    moved: [],
    gone: [],
    conflicts: [],
    nameHidden: [],
    returning: [],
    emptyDepartments: [],
  };

  // A member listed under two accounts (one on each platform) is one person: her places are pooled.
  const byMemberId = new Map<string, { member: RosterEntry; found: Found[] }>();
  const strangers: Found[] = [];
  for (const f of people) {
    const member = members.get(accountKey(f.account));
    if (!member) strangers.push(f);
    else {
      const entry = byMemberId.get(member.id) ?? { member, found: [] };
      entry.found.push(f);
      byMemberId.set(member.id, entry);
    }
  }

  for (const { member, found } of byMemberId.values()) {
    const places = found.flatMap((f) => f.places).sort(placeOrder);
    const branches = branchesOf(places);
    const first = found.sort(byAccount)[0]!;
    const name = found.map((f) => f.name).find((n) => n !== null) ?? null;
    if (name === null) for (const f of found) preview.nameHidden.push({ account: f.account, member: member.id, name: member.name });
    if (member.status === 'left') {
      preview.returning.push({ member: member.id, name: member.name, branches, account: first.account });
      continue;
    }
    if (name !== null && name !== member.name)
      preview.renamed.push({ member: member.id, from: member.name, to: name, account: first.account });
    if (branches.length > 1) {
      for (const f of found)
        preview.conflicts.push({ account: f.account, member: member.id, name: member.name, branches, departments: places });
      continue;
    }
    const to = branches[0]!;
    if (to !== member.branch_id) {
      const place = places.find((p) => p.branch === to)!;
      preview.moved.push({ member: member.id, name: member.name, from: member.branch_id, to, account: first.account, ...refOf(place) });
    }
  }

  const taken = new Set(roster.map((m) => m.id));
  for (const f of strangers.sort(byAccount)) {
    const places = f.places.sort(placeOrder);
    const branches = branchesOf(places);
    if (f.name === null) preview.nameHidden.push({ account: f.account, member: null, name: null });
    if (branches.length > 1) {
      preview.conflicts.push({ account: f.account, member: null, name: f.name, branches, departments: places });
      continue;
    }
    const id = memberIdFor(f.account.userId, taken);
    taken.add(id);
    preview.newMembers.push({ id, name: f.name, account: f.account, branch: branches[0]!, ...refOf(places[0]!) });
  }

  // Gone: on the roll, in a branch that maps departments of a platform she has an account on, and
  // found in no mapped department under any of her accounts.
  const platformOf = new Map(snapshot.channels.map((c) => [c.id, c.platform]));
  const readFor = new Set(mappings.flatMap((m) => (platformOf.has(m.channel) ? [key(m.branch, platformOf.get(m.channel)!)] : [])));
  const seen = new Set(people.map((f) => accountKey(f.account)));
  for (const m of roster) {
    if (m.status !== 'active') continue;
    const read = ACCOUNT_PLATFORMS.filter((p) => m.accounts[p] !== undefined && readFor.has(key(m.branch_id, p)));
    if (read.length === 0) continue;
    if (ACCOUNT_PLATFORMS.some((p) => m.accounts[p] !== undefined && seen.has(key(p, m.accounts[p])))) continue;
    const platform = read[0]!;
    preview.gone.push({ member: m.id, name: m.name, branch: m.branch_id, account: { platform, userId: m.accounts[platform]! } });
  }

  preview.emptyDepartments = emptyDepartments(snapshot, mappings, tree);

  preview.newMembers.sort((a, b) => compare(a.id, b.id));
  preview.renamed.sort(byMember);
  preview.moved.sort(byMember);
  preview.gone.sort(byMember);
  preview.conflicts.sort(byAccount);
  preview.nameHidden.sort(byAccount);
  preview.returning.sort(byMember);
  return preview;
}

const refOf = (p: DepartmentRef): DepartmentRef => ({ channel: p.channel, department: p.department });

/** The mappings under whose departments the directory lists nobody at all. */
function emptyDepartments(snapshot: DirectorySnapshot, mappings: readonly DepartmentMapping[], tree: DepartmentTree) {
  const held = new Set<string>();
  for (const p of snapshot.people)
    for (const department of p.departmentIds)
      for (const m of tree.covering(p.channel, department)) held.add(key(m.channel, m.departmentId));
  return mappings
    .filter((m) => !held.has(key(m.channel, m.departmentId)))
    .map((m) => ({ channel: m.channel, department: m.departmentId, branch: m.branch }))
    .sort(placeOrder);
}

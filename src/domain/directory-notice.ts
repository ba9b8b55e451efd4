import { createHash } from 'node:crypto';
import type { DirectoryPreview } from './directory.ts';
import { escapeMarkdown } from './markdown.ts';
import type { OutboundMessage } from './outbound.ts';

// What a branch's secretary is told privately of the directory sync, at most once a day: who the
// sync added or renamed in her branch since she was last told, and what of her branch awaits an org
// admin's confirmation (moves, departures, conflicts, members who left and are listed again, mapped
// departments in which nobody is listed). Counts and names: never in a group chat.

/** A change the sync made on its own, as the trail has it. */
export type SyncedChange =
  | { kind: 'added'; member: string; branch: string; name: string }
  | { kind: 'renamed'; member: string; branch: string; from: string; to: string };

/** What awaits an org admin in one branch. */
export interface BranchPending {
  movingOut: { name: string; to: string }[];
  movingIn: { name: string; from: string }[];
  gone: string[];
  conflicts: string[];
  returning: string[];
  /** Mapped departments (their ids) in which nobody is listed. */
  emptyDepartments: string[];
}

export interface BranchNotice {
  branch: string;
  added: string[];
  renamed: { from: string; to: string }[];
  pending: BranchPending;
}

const nothingPending = (): BranchPending => ({ movingOut: [], movingIn: [], gone: [], conflicts: [], returning: [], emptyDepartments: [] });

const pendingCount = (p: BranchPending) =>
  p.movingOut.length + p.movingIn.length + p.gone.length + p.conflicts.length + p.returning.length + p.emptyDepartments.length;

/**
 * What awaits an org admin, branch by branch, in a preview of which the sync applied the rest:
 * a move in both branches, a conflict in each branch it names and the member's own.
 * `memberBranch`: a member's branch now; `branchName`: a branch's name (its id when it has none).
 */
export function pendingByBranch(
  preview: Pick<DirectoryPreview, 'moved' | 'gone' | 'conflicts' | 'returning' | 'emptyDepartments'>,
  memberBranch: (member: string) => string | undefined,
  branchName: (branch: string) => string,
): Map<string, BranchPending> {
  const byBranch = new Map<string, BranchPending>();
  const of = (branch: string) => {
    const pending = byBranch.get(branch) ?? nothingPending();
    byBranch.set(branch, pending);
    return pending;
  };
  const withOwn = (branches: string[], member: string | null) => {
    const own = member === null ? undefined : memberBranch(member);
    return [...new Set(own === undefined ? branches : [own, ...branches])];
  };
  for (const m of preview.moved) {
    of(m.from).movingOut.push({ name: m.name, to: branchName(m.to) });
    of(m.to).movingIn.push({ name: m.name, from: branchName(m.from) });
  }
  for (const g of preview.gone) of(g.branch).gone.push(g.name);
  for (const c of preview.conflicts) for (const b of withOwn(c.branches, c.member)) of(b).conflicts.push(c.name ?? c.account.userId);
  for (const r of preview.returning) for (const b of withOwn(r.branches, r.member)) of(b).returning.push(r.name);
  for (const d of preview.emptyDepartments) of(d.branch).emptyDepartments.push(d.department);
  return byBranch;
}

/** A fingerprint of what awaits an org admin in a branch: her secretaries are told again only when it changes. */
export function pendingFingerprint(pending: BranchPending): string {
  const sorted = Object.entries(pending).map(([kind, items]) => [kind, (items as unknown[]).map((i) => JSON.stringify(i)).sort()]);
  return createHash('sha1').update(JSON.stringify(sorted)).digest('hex').slice(0, 16);
}

/**
 * The branches whose secretaries are to be told: those the sync changed something in, and those in
 * which what awaits an org admin is not what they were last told (`told`: branch → fingerprint).
 */
export function branchNotices(
  changes: readonly SyncedChange[],
  pending: ReadonlyMap<string, BranchPending>,
  told: Readonly<Record<string, string>>,
  branchName: (branch: string) => string,
): Map<string, BranchNotice> {
  const notices = new Map<string, BranchNotice>();
  const of = (branch: string) => {
    const notice = notices.get(branch) ?? {
      branch: branchName(branch),
      added: [],
      renamed: [],
      pending: pending.get(branch) ?? nothingPending(),
    };
    notices.set(branch, notice);
    return notice;
  };
  // A member renamed twice since the last notice is told once, from her first name to her last.
  const renamed = new Map<string, { branch: string; from: string; to: string }>();
  for (const c of changes) {
    if (c.kind === 'added') of(c.branch).added.push(c.name);
    else renamed.set(c.member, { branch: c.branch, from: renamed.get(c.member)?.from ?? c.from, to: c.to });
  }
  for (const r of renamed.values()) if (r.from !== r.to) of(r.branch).renamed.push({ from: r.from, to: r.to });
  for (const [branch, p] of pending) if (pendingCount(p) > 0 && told[branch] !== pendingFingerprint(p)) of(branch);
  return notices;
}

/** Names shown in one line at most; the rest are counted. */
const NAMES_SHOWN = 10;

function names(list: string[]): string {
  const shown = list.slice(0, NAMES_SHOWN).map(escapeMarkdown).join('、');
  return list.length > NAMES_SHOWN ? `${shown}等 ${list.length} 人` : shown;
}

function lines<T>(label: string, list: T[], show: (item: T) => string): string[] {
  if (list.length === 0) return [];
  const shown = list.slice(0, NAMES_SHOWN).map(show).join('、');
  return [`- ${label}：${list.length > NAMES_SHOWN ? `${shown}等 ${list.length} 项` : shown}`];
}

/** The private message to a branch's secretaries. */
export function directoryNoticeMessage(n: BranchNotice): OutboundMessage {
  const branch = escapeMarkdown(n.branch);
  const parts = [`**通讯录同步：${branch}**`];
  const updated = n.added.length + n.renamed.length;
  if (updated > 0) {
    parts.push(
      [
        `已按通讯录更新 ${updated} 人：`,
        ...(n.added.length ? [`- 新增党员：${names(n.added)}`] : []),
        ...lines('更名', n.renamed, (r) => `${escapeMarkdown(r.from)}→${escapeMarkdown(r.to)}`),
      ].join('\n'),
    );
  }
  const p = n.pending;
  const waiting = pendingCount(p);
  if (waiting > 0) {
    parts.push(
      [
        `待机关党委管理员确认 ${waiting} 项：`,
        ...lines('转出', p.movingOut, (m) => `${escapeMarkdown(m.name)}（转往${escapeMarkdown(m.to)}）`),
        ...lines('转入', p.movingIn, (m) => `${escapeMarkdown(m.name)}（来自${escapeMarkdown(m.from)}）`),
        ...(p.gone.length ? [`- 已不在对应部门：${names(p.gone)}`] : []),
        ...(p.conflicts.length ? [`- 所在部门分属多个支部：${names(p.conflicts)}`] : []),
        ...(p.returning.length ? [`- 已登记离开，又在通讯录中：${names(p.returning)}`] : []),
        ...lines('对应部门无人员', p.emptyDepartments, (d) => `部门 ${escapeMarkdown(d)}`),
      ].join('\n'),
    );
  }
  parts.push('角色、党小组、预备党员等不随通讯录变动。');
  return { title: `通讯录同步：${branch}`, markdown: parts.join('\n\n') };
}

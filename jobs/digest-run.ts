import { listChannelRefs } from '../src/platforms/index.ts';
import type { Queue } from 'bullmq';
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import { listOrgChats } from '../db/branches.ts';
import { streamDigestInput } from '../db/digest-facts.ts';
import { recordDeliveries } from '../db/deliveries.ts';
import { isDuplicateKey } from '../db/errors.ts';
import { claimedBranches, insertDigests } from '../db/digests.ts';
import type { Database, DigestTable } from '../db/schema.ts';
import { previewDigest } from '../src/render/digest-preview.ts';
import type { DigestBranchFacts } from '../src/domain/digest/types.ts';
import { onRosterAt } from '../src/domain/meetings.ts';
import { type Delivery, deliveryId } from '../src/domain/outbound.ts';
import { type Addressed, type ChannelRef, audienceOf, secretaryTargets } from '../src/domain/targets.ts';
import type { BranchChatTable } from '../src/domain/records.ts';
import { relayDeliveries } from './outbound.ts';
import type { Clock } from '../src/core/clock.ts';

// The weekly 五同 digest: computed for every branch of an org from facts loaded in a
// fixed number of queries, pushed privately to each branch secretary (else to the branch's group),
// at most once per branch and ISO week: the `digests` rows are claimed, with the messages, in one
// transaction of a fixed few statements before anything is queued, so the count does not
// grow with the branches.

export interface DigestDeps {
  db: Kysely<Database>;
  outbound: Queue;
  logger: Logger;
  clock: Clock;
  /** CHECKIN_CLOSES: a meeting nobody came to is not held once its check-in has closed. */
  checkinCloses: number;
}

/** Where a branch's digest goes: its first secretary reachable privately, else its first bound group chat. */
export function digestTarget(
  facts: Pick<DigestBranchFacts, 'branch' | 'members'>,
  channels: ChannelRef[],
  chats: Pick<BranchChatTable, 'branch_id' | 'channel_id' | 'chat_id'>[],
): Addressed | null {
  return (
    secretaryTargets(
      // A secretary who left, or moved to another branch, is no longer the one to tell: only those
      // on the roster with no end to it.
      facts.members.filter((m) => onRosterAt(m, Number.POSITIVE_INFINITY)),
      channels,
      chats.filter((c) => c.branch_id === facts.branch.id),
    )[0] ?? null
  );
}

export interface DigestOutcome {
  branch: string;
  outcome: 'queued' | 'already sent' | 'no target';
  parts?: number;
}

/** Branches claimed and recorded per statement: a fixed number of queries per run of an org of any usual size. */
const CLAIM_BATCH = 500;

interface Planned {
  branchId: string;
  digest: DigestTable;
  deliveries: Delivery[];
}

/**
 * Claims the digests of `planned` and records their messages, in one transaction: the branches
 * claimed before are skipped; a branch claimed meanwhile by another run fails the transaction,
 * which is then tried once more (and finds it claimed). The branches claimed now.
 */
async function claim(db: Kysely<Database>, orgId: string, week: string, planned: Planned[], now: number): Promise<Set<string>> {
  const attempt = () =>
    db.transaction().execute(async (trx) => {
      const taken = await claimedBranches(
        trx,
        orgId,
        week,
        planned.map((p) => p.branchId),
      );
      const fresh = planned.filter((p) => !taken.has(p.branchId));
      for (let i = 0; i < fresh.length; i += CLAIM_BATCH) {
        const batch = fresh.slice(i, i + CLAIM_BATCH);
        await insertDigests(
          trx,
          batch.map((p) => p.digest),
        );
        await recordDeliveries(
          trx,
          batch.flatMap((p) => p.deliveries),
          now,
        );
      }
      return new Set(fresh.map((p) => p.branchId));
    });
  try {
    return await attempt();
  } catch (err) {
    // Another run claimed one of them first: the second attempt sees its claims and skips them.
    if (!isDuplicate(err)) throw err;
    return attempt();
  }
}

/** A claim that another run made first: its key, or on SQLite its snapshot, refuses ours. */
const isDuplicate = (err: unknown) => isDuplicateKey(err) || (err as { code?: unknown }).code === 'SQLITE_BUSY_SNAPSHOT';

/** Runs the week's digest of every branch of an org (or one), pushing each at most once. */
export async function runWeeklyDigest(deps: DigestDeps, orgId: string, week: string, branchId?: string): Promise<DigestOutcome[]> {
  const { db, logger } = deps;
  const now = deps.clock.now();
  const input = await streamDigestInput(db, orgId, week, now, branchId);
  if (!input) return [];
  const [channels, chats] = await Promise.all([listChannelRefs(db, orgId), listOrgChats(db, orgId)]);
  const outcomes = new Map<string, DigestOutcome>();
  const planned: Planned[] = [];
  const order: string[] = [];
  // One branch's facts at a time: what is kept of each is its digest and its messages.
  for await (const facts of input.branches) {
    order.push(facts.branch.id);
    const to = digestTarget(facts, channels, chats);
    if (!to) {
      logger.warn({ org: orgId, branch: facts.branch.id, week }, 'weekly digest has no secretary id nor bound group to go to');
      outcomes.set(facts.branch.id, { branch: facts.branch.id, outcome: 'no target' });
      continue;
    }
    const { figures, title, parts } = previewDigest(
      { ...input, facts, checkinCloses: deps.checkinCloses },
      { format: to.format, audience: audienceOf(to.target) },
      now,
    );
    const deliveries = parts.map((markdown, i) => ({
      id: deliveryId('digest', [orgId, facts.branch.id, week], i + 1),
      orgId,
      target: to.target,
      message: { title: parts.length > 1 ? `${title}（${i + 1}/${parts.length}）` : title, markdown },
    }));
    const digest = { org_id: orgId, branch_id: facts.branch.id, week, content: JSON.stringify(figures), created_at: now, sent_at: now };
    planned.push({ branchId: facts.branch.id, digest, deliveries });
  }
  // The claims and the messages commit together: a crash leaves either nothing (the next run
  // sends) or both (the delivery sweep queues what the crash did not).
  const claimed = await claim(db, orgId, week, planned, now);
  const ids: string[] = [];
  for (const p of planned) {
    if (!claimed.has(p.branchId)) {
      outcomes.set(p.branchId, { branch: p.branchId, outcome: 'already sent' });
      continue;
    }
    ids.push(...p.deliveries.map((d) => d.id));
    outcomes.set(p.branchId, { branch: p.branchId, outcome: 'queued', parts: p.deliveries.length });
  }
  await relayDeliveries(db, deps.outbound, ids, now);
  return order.map((id) => outcomes.get(id)!);
}

import type { Queue } from 'bullmq';
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import { listOrgChats } from '../db/branches.ts';
import { listOrgChannels } from '../db/channels.ts';
import { loadDigestInput } from '../db/digest-facts.ts';
import { recordDelivery } from '../db/deliveries.ts';
import { claimDigest } from '../db/digests.ts';
import type { Database } from '../db/schema.ts';
import { previewDigest } from '../src/domain/digest/preview.ts';
import type { DigestBranchFacts } from '../src/domain/digest/types.ts';
import { deliveryId } from '../src/domain/outbound.ts';
import { type Addressed, type ChannelRef, audienceOf, secretaryTargets } from '../src/domain/targets.ts';
import type { BranchChatTable } from '../src/domain/records.ts';
import { relayDeliveries } from './outbound.ts';

// The weekly 五同 digest (SPEC §6): computed for every branch of an org from facts loaded in a
// fixed number of queries, pushed privately to each branch secretary (else to the branch's group),
// at most once per branch and ISO week: the `digests` row is claimed before anything is queued.

export interface DigestDeps {
  db: Kysely<Database>;
  outbound: Queue;
  logger: Logger;
  now(): number;
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
      // A secretary who left is no longer the one to tell.
      facts.members.filter((m) => m.left_at == null),
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

/** Runs the week's digest of every branch of an org (or one), pushing each at most once. */
export async function runWeeklyDigest(deps: DigestDeps, orgId: string, week: string, branchId?: string): Promise<DigestOutcome[]> {
  const { db, logger } = deps;
  const now = deps.now();
  const input = await loadDigestInput(db, orgId, week, now, branchId);
  if (!input) return [];
  const [channels, chats] = await Promise.all([listOrgChannels(db, orgId), listOrgChats(db, orgId)]);
  const outcomes: DigestOutcome[] = [];
  for (const facts of input.branches) {
    const to = digestTarget(facts, channels, chats);
    if (!to) {
      logger.warn({ org: orgId, branch: facts.branch.id, week }, 'weekly digest has no secretary id nor bound group to go to');
      outcomes.push({ branch: facts.branch.id, outcome: 'no target' });
      continue;
    }
    const { figures, title, parts } = previewDigest(
      { ...input, facts, checkinCloses: deps.checkinCloses },
      { format: to.format, audience: audienceOf(to.target) },
      now,
    );
    // The claim and the messages commit together: a crash leaves either nothing (the next run
    // sends) or both (the delivery sweep queues what the crash did not).
    const ids = parts.map((_, i) => deliveryId('digest', [orgId, facts.branch.id, week], i + 1));
    const claimed = await db.transaction().execute(async (trx) => {
      const digest = { org_id: orgId, branch_id: facts.branch.id, week, content: JSON.stringify(figures), created_at: now, sent_at: now };
      if (!(await claimDigest(trx, digest))) return false;
      for (const [i, markdown] of parts.entries()) {
        const partTitle = parts.length > 1 ? `${title}（${i + 1}/${parts.length}）` : title;
        await recordDelivery(trx, { id: ids[i]!, orgId, target: to.target, message: { title: partTitle, markdown } }, now);
      }
      return true;
    });
    if (!claimed) {
      outcomes.push({ branch: facts.branch.id, outcome: 'already sent' });
      continue;
    }
    await relayDeliveries(db, deps.outbound, ids, now);
    outcomes.push({ branch: facts.branch.id, outcome: 'queued', parts: parts.length });
  }
  return outcomes;
}

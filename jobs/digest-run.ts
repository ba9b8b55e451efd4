import { createHash } from 'node:crypto';
import type { Queue } from 'bullmq';
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { BranchChatTable, Database, MemberTable } from '../db/schema.ts';
import { getOrg } from '../db/orgs.ts';
import { listOrgChannels } from '../db/channels.ts';
import { listOrgChats } from '../db/branches.ts';
import { loadDigestFacts } from '../db/digest-facts.ts';
import { claimDigest } from '../db/digests.ts';
import { computeDigest } from '../src/digest/figures.ts';
import { type DigestPlatform, renderDigest } from '../src/digest/render.ts';
import { digestWindow } from '../src/digest/window.ts';
import { calendarFooter } from '../src/digest/preview.ts';
import type { Target } from '../src/outbound/message.ts';
import { privateTarget } from '../src/outbound/private-target.ts';
import { queueDelivery, recordDelivery } from './outbound.ts';

// The weekly 五同 digest (SPEC §6): computed for every branch of an org from facts loaded in a
// fixed number of queries, pushed privately to each branch secretary (else to the branch's group),
// at most once per branch and ISO week: the `digests` row is claimed before anything is queued.

export interface DigestDeps {
  db: Kysely<Database>;
  outbound: Queue;
  logger: Logger;
  now(): number;
}


export interface DigestTarget {
  target: Target;
  /** What the message goes through, which decides its size limit. */
  channel: DigestPlatform;
}

/** The secretary privately where a channel can reach them; else the branch's first bound group chat. */
export function digestTarget(
  branchId: string,
  members: Pick<MemberTable, 'id' | 'role' | 'dingtalk_user_id' | 'wecom_user_id'>[],
  channels: { id: string; platform: string }[],
  chats: Pick<BranchChatTable, 'branch_id' | 'channel_id' | 'chat_id'>[],
): DigestTarget | null {
  const secretary = members.find((m) => m.role === 'secretary');
  const direct = secretary && privateTarget(secretary, channels);
  if (direct) return { target: direct.target, channel: direct.via };
  const chat = chats.find((c) => c.branch_id === branchId);
  if (!chat) return null;
  const platform = channels.find((c) => c.id === chat.channel_id)?.platform;
  return { target: { kind: 'chat', channelId: chat.channel_id, chatId: chat.chat_id }, channel: platform === 'dingtalk' ? 'dingtalk' : 'wecom' };
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
  const org = await getOrg(db, orgId);
  const window = org && digestWindow(week, org.timezone, now);
  if (!window) return [];
  const [footer, channels, chats] = await Promise.all([calendarFooter(db, window), listOrgChannels(db, orgId), listOrgChats(db, orgId)]);
  const outcomes: DigestOutcome[] = [];
  for (const facts of await loadDigestFacts(db, orgId, window, branchId)) {
    const to = digestTarget(facts.branch.id, facts.members, channels, chats);
    if (!to) {
      logger.warn({ org: orgId, branch: facts.branch.id, week }, 'weekly digest has no secretary id nor bound group to go to');
      outcomes.push({ branch: facts.branch.id, outcome: 'no target' });
      continue;
    }
    const figures = computeDigest(facts, window);
    const { title, parts } = renderDigest(figures, { platform: to.channel, tz: window.tz, now, footer });
    // The claim and the messages commit together: a crash leaves either nothing (the next run
    // sends) or both (the delivery sweep queues what the crash did not).
    const ids = parts.map((_, i) => `digest-${createHash('sha1').update(`${orgId}|${facts.branch.id}|${week}`).digest('hex').slice(0, 24)}-${i + 1}`);
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
    for (const id of ids) await queueDelivery(deps.outbound, id);
    outcomes.push({ branch: facts.branch.id, outcome: 'queued', parts: parts.length });
  }
  return outcomes;
}

import type { Kysely } from 'kysely';
import type { Database } from '../../../db/schema.ts';
import { listOrgsPage, putOrg } from '../../../db/orgs.ts';
import { putChannel } from '../../../db/channels.ts';
import { putBranch } from '../../../db/branches.ts';
import { putMember } from '../../../db/members.ts';

export const DEMO_ORG = 'demo';
export const DEMO_MEMBER = 'sec';

/** What `seedDemo` found: an empty database it seeded, its own org from an earlier run, or orgs of others. */
export type DemoSeed = { kind: 'seeded' } | { kind: 'again' } | { kind: 'taken'; orgs: string[] };

/** The demo's channel: its messages are shown in the terminal that runs it, and reach no platform. */
const DEMO_CHANNEL = { platform: 'demo' } as const;

/**
 * Seeds a small org to try the terminal chat with, only into a database that has no org yet. A database
 * it seeded before gets its channel set to the demo's again (an older demo's was a DingTalk channel
 * with placeholder credentials); one holding any other org is left alone: the demo is no place for
 * real members.
 */
export async function seedDemo(db: Kysely<Database>, timezone: string, now: number): Promise<DemoSeed> {
  return db.transaction().execute(async (trx): Promise<DemoSeed> => {
    const orgs = (await listOrgsPage(trx, '', 4)).map((o) => o.id);
    const others = orgs.filter((id) => id !== DEMO_ORG);
    if (others.length) return { kind: 'taken', orgs: others };
    if (orgs.length) {
      await putChannel(trx, DEMO_ORG, 'demo-console', DEMO_CHANNEL, now);
      return { kind: 'again' };
    }
    await putOrg(trx, { id: DEMO_ORG, name: '演示机关工委', timezone, digest_cron: null }, now);
    await putChannel(trx, DEMO_ORG, 'demo-console', DEMO_CHANNEL, now);
    await putBranch(
      trx,
      DEMO_ORG,
      'b1',
      '第一党支部',
      [{ channel_id: 'demo-console', chat_id: 'demo-group', webhook: null, secret: null }],
      now,
    );
    // The terminal chat finds members by id: no platform ids are needed.
    const base = {
      org_id: DEMO_ORG,
      branch_id: 'b1',
      party_group: null,
      probationary: false,
      mobile: null,
      accounts: {},
    };
    await putMember(trx, { ...base, id: DEMO_MEMBER, name: '李书记', role: 'secretary' }, now);
    await putMember(trx, { ...base, id: 'm1', name: '张三', role: 'member' }, now);
    await putMember(trx, { ...base, id: 'm2', name: '王五', role: 'member' }, now);
    return { kind: 'seeded' };
  });
}

import { randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Database } from '../../../db/schema.ts';
import { hasAnyOrg, putOrg } from '../../../db/orgs.ts';
import { putChannel } from '../../../db/channels.ts';
import { putBranch } from '../../../db/branches.ts';
import { putMember } from '../../../db/members.ts';

export const DEMO_ORG = 'demo';
export const DEMO_MEMBER = 'sec';

/**
 * Seeds a small org to try the console with, only into a database that has no org yet; true when
 * it did. The channel's credentials are placeholders and its secret random, so that no one can
 * sign a webhook to it should the service run on this database.
 */
export async function seedDemo(db: Kysely<Database>, timezone: string, now: number): Promise<boolean> {
  return db.transaction().execute(async (trx) => {
    if (await hasAnyOrg(trx)) return false;
    await putOrg(trx, { id: DEMO_ORG, name: '演示机关工委', timezone, digest_cron: null }, now);
    const appSecret = randomBytes(24).toString('hex');
    await putChannel(
      trx,
      DEMO_ORG,
      'demo-console',
      { platform: 'dingtalk', appKey: 'demo-app-key', appSecret, robotCode: 'demo-robot' },
      now,
    );
    await putBranch(
      trx,
      DEMO_ORG,
      'b1',
      '第一党支部',
      [{ channel_id: 'demo-console', chat_id: 'demo-group', webhook: null, secret: null }],
      now,
    );
    // The console finds members by id: no platform ids are needed.
    const base = {
      org_id: DEMO_ORG,
      branch_id: 'b1',
      party_group: null,
      probationary: 0,
      mobile: null,
      wecom_user_id: null,
      dingtalk_user_id: null,
    };
    await putMember(trx, { ...base, id: DEMO_MEMBER, name: '李书记', role: 'secretary' }, now);
    await putMember(trx, { ...base, id: 'm1', name: '张三', role: 'member' }, now);
    await putMember(trx, { ...base, id: 'm2', name: '王五', role: 'member' }, now);
    return true;
  });
}

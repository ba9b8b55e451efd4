import type { Kysely } from 'kysely';
import { putBranch } from '../../db/branches.ts';
import { putChannel } from '../../db/channels.ts';
import { putMember } from '../../db/members.ts';
import { putOrg } from '../../db/orgs.ts';
import type { Database } from '../../db/schema.ts';
import { memberRow } from './db.ts';

export interface BranchesSpec {
  branches: number;
  /** Branch b's group robot token is `${robot}${b}` (and its signing secret `${robotSecret}${b}`). */
  robot: string;
  robotSecret?: string;
  appSecret: string;
  /** Secretary `s${b}` (DingTalk id `ds${b}`) in each branch. */
  secretaries?: boolean;
  /** Members `m${b}-${m}` (DingTalk id `dm${b}-${m}`) per branch, with this mobile number. */
  members?: number;
  mobile?: string;
}

/**
 * Org `org1` with one DingTalk channel `dt1` and branches `b0`… each with a group chat `cid-${b}` and
 * a robot of its own, so that the robots' 20-a-minute limit does not slow a test that pushes to many.
 */
export async function seedBranches(db: Kysely<Database>, spec: BranchesSpec): Promise<void> {
  const now = Date.now();
  await putOrg(db, { id: 'org1', name: '机关工委', timezone: 'Asia/Shanghai', digest_cron: null }, now);
  await putChannel(db, 'org1', 'dt1', { platform: 'dingtalk', appKey: 'k', appSecret: spec.appSecret, robotCode: 'r' }, now);
  for (let b = 0; b < spec.branches; b++) {
    const chat = {
      channel_id: 'dt1',
      chat_id: `cid-${b}`,
      webhook: `${spec.robot}${b}`,
      secret: spec.robotSecret ? `${spec.robotSecret}${b}` : null,
    };
    await putBranch(db, 'org1', `b${b}`, `第${b}党支部`, [chat], now);
    const branch = { branch_id: `b${b}` };
    if (spec.secretaries) {
      await putMember(
        db,
        memberRow({ ...branch, id: `s${b}`, name: `书记${b}`, role: 'secretary', accounts: { dingtalk: `ds${b}` } }),
        now,
      );
    }
    for (let m = 0; m < (spec.members ?? 0); m++) {
      const id = `m${b}-${m}`;
      await putMember(
        db,
        memberRow({ ...branch, id, name: `党员${b}-${m}`, accounts: { dingtalk: `d${id}` }, mobile: spec.mobile ?? null }),
        now,
      );
    }
  }
}

import type { MemberTable } from '../../db/schema.ts';
import type { Target } from './message.ts';

/**
 * Where a member can be written to privately: a DingTalk channel of the org when they have a
 * DingTalk id (oToMessages), else a WeCom self-built app when they have a WeCom id (message/send).
 * Null when neither: the caller falls back to the branch's group.
 */
export function privateTarget(
  member: Pick<MemberTable, 'id' | 'dingtalk_user_id' | 'wecom_user_id'>,
  channels: { id: string; platform: string }[],
): { target: Target; via: 'dingtalk' | 'wecom-app' } | null {
  const dingtalk = channels.find((c) => c.platform === 'dingtalk');
  if (member.dingtalk_user_id && dingtalk) return { target: { kind: 'member', channelId: dingtalk.id, memberId: member.id }, via: 'dingtalk' };
  const app = channels.find((c) => c.platform === 'wecom-app');
  if (member.wecom_user_id && app) return { target: { kind: 'member', channelId: app.id, memberId: member.id }, via: 'wecom-app' };
  return null;
}

import type { OrgTable } from '../../db/schema.ts';
import type { Target } from '../domain/outbound.ts';
import { fileDateTime } from '../domain/time.ts';
import { deliver } from '../platforms/deliver.ts';
import { type DeliverDeps, PlatformClients } from '../platforms/shared/clients.ts';
import type { SendResult } from '../platforms/shared/send-result.ts';
import { type Acting, audit, authorise } from './acting.ts';

// A channel's test message: sent at once through the real sender (not the outbox), so that whoever
// set the channel up sees the platform's own answer; on the trail with whether it arrived.

/** Sends the test message through `channelId` to `target`, if the policy lets `acting` (Refused if not). */
export async function sendTestMessage(
  deps: DeliverDeps & Required<Pick<DeliverDeps, 'clock'>>,
  acting: Acting,
  org: Pick<OrgTable, 'id' | 'timezone'>,
  channelId: string,
  target: Target,
): Promise<SendResult> {
  authorise(acting, 'channels.test', { kind: 'org', orgId: org.id });
  const { clock } = deps;
  const message = {
    title: '同心测试消息',
    markdown: `这是一条测试消息：渠道 ${channelId} 可以正常发送。（${fileDateTime(clock.now(), org.timezone)}）`,
  };
  const result = await deliver(deps, new PlatformClients(deps), target, message, `console-test-${clock.now()}`);
  const sentTo = target.kind === 'chat' ? `chat:${target.chatId}` : `member:${target.memberId}`;
  await deps.db.transaction().execute((trx) =>
    audit(trx, acting, {
      at: clock.now(),
      orgId: org.id,
      action: 'channels.test',
      object: `channel:${channelId}`,
      detail: { to: sentTo, delivered: result.delivered },
    }),
  );
  return result;
}

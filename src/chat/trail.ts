import { writeAudit } from '../../db/audit.ts';
import type { AuditAction } from '../domain/audit.ts';
import type { MemberContext } from './context.ts';

/**
 * Appends to the trail, in the command's transaction, what the sender did by chat (绑定, 导出,
 * 控制台); where from is the platform and channel she wrote on.
 */
export function auditChat(ctx: MemberContext, action: AuditAction, object: string, detail?: Record<string, unknown>): Promise<void> {
  const { member, message } = ctx;
  return writeAudit(ctx.db, {
    at: ctx.clock.now(),
    orgId: member.org_id,
    actor: { kind: 'member', id: member.id, name: member.name },
    action,
    object,
    ...(detail ? { detail } : {}),
    address: `${message.platform}:${message.channelId}`,
    result: 'ok',
  });
}

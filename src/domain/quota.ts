import { toLocal } from './time.ts';

// Platform quotas. DingTalk's standard edition allows an org 3,000 Webhook&Stream calls
// (custom-robot sends, session replies, Stream pushes) and 5,000 API calls a month; a channel may
// set other figures (`monthlyBudget`). Org admins are told privately when a count reaches 80 % and
// 100 % of its budget.

export type QuotaKind = 'webhook' | 'api';

export const QUOTA_LABELS: Record<QuotaKind, string> = { webhook: 'Webhook 和 Stream', api: '接口' };

/** How a sentence names this month's calls of a kind. */
const CALLS: Record<QuotaKind, string> = { webhook: '本月 Webhook 和 Stream 调用', api: '本月接口调用' };

export const DINGTALK_BUDGET: Record<QuotaKind, number> = { webhook: 3_000, api: 5_000 };

export const WARN_AT = [80, 100] as const;

/** `2026-12`: the month around `ms` in the org's zone, under which calls are counted. */
export function monthKey(ms: number, tz: string): string {
  const { year, month } = toLocal(ms, tz);
  return `${year}-${String(month).padStart(2, '0')}`;
}

/** The warning levels (80, 100) that a count going from `before` to `after` reaches. */
export function levelsReached(before: number, after: number, budget: number): number[] {
  return WARN_AT.filter((percent) => {
    const line = Math.ceil((budget * percent) / 100);
    return before < line && after >= line;
  });
}

/** The sentence an org admin gets when a level is reached. */
export const quotaWarning = (kind: QuotaKind, used: number, budget: number, percent: number) =>
  percent >= 100
    ? `本单位钉钉${CALLS[kind]}已用 ${used} 次，达到每月额度 ${budget} 次。超出后钉钉可能拒绝调用，提醒和通知会尽量合并发送；如需更多额度，请联系管理员升级钉钉版本或调整额度设置。`
    : `本单位钉钉${CALLS[kind]}已用 ${used} 次，达到每月额度 ${budget} 次的 ${percent}%。提醒和通知将尽量合并发送。`;

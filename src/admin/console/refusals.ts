import type { Action, Refusal } from '../../domain/policy.ts';

// What the console says when the policy refuses: out of reach is answered as absent (404) by the
// pages themselves; every other refusal says who may do it instead.

const BY_ORG_ADMIN: Partial<Record<Action, string>> = {
  'member.appoint': '任免书记需由机关党委管理员办理。',
  'member.move': '把党员转到其他支部需由机关党委管理员办理。',
  'member.accounts': '钉钉、企业微信账号只能由机关党委管理员设置。',
  'member.leave': '书记离开需由机关党委管理员办理。',
};

const BY_IT: Partial<Record<Action, string>> = {
  'member.orgAdmin': '机关党委管理员只能由系统管理员设置。',
  'calendar.write': '节假日由系统管理员统一维护。',
};

export function refusalText(action: Action, why: Refusal): string {
  switch (why) {
    case 'scope':
      return '没有这个页面，或你无权查看。';
    case 'org-admin':
      return '机关党委管理员的信息由系统管理员维护。';
    case 'self':
      return '不能调整自己的角色，也不能登记自己离开。';
    case 'needs-secretary':
      return '只有支部书记可以这样做。';
    case 'needs-org-admin':
      return BY_ORG_ADMIN[action] ?? '只有机关党委管理员可以这样做。';
    case 'needs-it':
      return BY_IT[action] ?? '只有系统管理员可以这样做。';
    case 'left':
      return '你已不在党员名册中。';
  }
}

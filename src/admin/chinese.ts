import { Problem } from './http.ts';
import { ACCOUNT_FIELDS } from './schemas.ts';

// What secretaries read of the member checks — the CSV import's rows and the console's forms — in
// Chinese. The import writes its own reasons in Chinese; these turn the ones that come from the
// admin API's shared checks (the schema, ids, a member's write) into Chinese as well.

export const FIELD_LABELS: Record<string, string> = {
  id: '编号',
  name: '姓名',
  branch: '支部',
  role: '角色',
  group: '党小组',
  probationary: '预备党员',
  mobile: '手机号',
  [ACCOUNT_FIELDS.wecom]: '企业微信账号',
  [ACCOUNT_FIELDS.dingtalk]: '钉钉账号',
  orgAdmin: '机关党委管理员',
  row: '整行',
  header: '表头',
  body: '文件',
};

const KNOWN: [RegExp, (m: RegExpExecArray, field: string) => string][] = [
  [/^is required$/, () => '必填'],
  [/^already used by member (.+)$/, (m) => `已被党员 ${m[1]} 使用`],
  [/^no branch (.+) in this org$/, (m) => `没有编号为「${m[1]}」的支部`],
  [/^Invalid option/, (_, field) => (field === 'role' ? '应为 书记、委员 或 党员' : '取值不正确')],
  [/^Too small/, () => '不能为空'],
  [/^Too big: expected string to have <=(\d+)/, (m) => `太长：最多 ${m[1]} 个字`],
  [/^Too big/, () => '太长'],
  [/^Invalid input: expected/, () => '格式不正确'],
  [/expects 1-64 letters, digits/, () => '只能用字母、数字和 _ . -，最多 64 个'],
];

/** A reason of the shared checks as a secretary reads it; one already in Chinese stays as it is. */
export function inChinese(field: string, reason: string): string {
  for (const [pattern, say] of KNOWN) {
    const m = pattern.exec(reason);
    if (m) return say(m, field);
  }
  return reason;
}

/** A 400 on `field` whose message is in Chinese: 「表头：缺少「姓名」列」. */
export const chineseField = (field: string, reason: string) =>
  new Problem(400, `${FIELD_LABELS[field] ?? field}：${reason}`, field, reason);

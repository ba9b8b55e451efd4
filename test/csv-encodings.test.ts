import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listMembersPage } from '../db/members.ts';
import { ADMIN_TOKEN, type TestApp, startTestApp } from './helpers/app.ts';
import { DIALECTS } from './helpers/db.ts';

// The member CSV as secretaries save it: UTF-8 with or without a BOM, or GB18030 from
// Excel on Chinese Windows; Chinese or English headers and roles. The encoding is told from the
// bytes; what is neither is refused, never imported as mojibake.

/** GB18030 bytes of a text, from the decoder's own two-byte table (Node has no GB18030 encoder). */
const GB_TABLE = (() => {
  const table = new Map<string, number[]>();
  const decoder = new TextDecoder('gb18030');
  for (let lead = 0x81; lead <= 0xfe; lead++) {
    for (let trail = 0x40; trail <= 0xfe; trail++) {
      if (trail === 0x7f) continue;
      const char = decoder.decode(Uint8Array.of(lead, trail));
      if (char.length === 1 && !table.has(char)) table.set(char, [lead, trail]);
    }
  }
  return table;
})();
function gb18030(text: string): Buffer {
  const bytes: number[] = [];
  for (const char of text) {
    if (char.charCodeAt(0) < 0x80) bytes.push(char.charCodeAt(0));
    else bytes.push(...GB_TABLE.get(char)!);
  }
  return Buffer.from(bytes);
}

const CHINESE = [
  '编号,姓名,支部,角色,党小组,预备党员,手机号,企业微信账号,钉钉账号',
  'dd-zhang,张三,第一党支部,书记,第一小组,否,13800000001,,dd-zhang',
  'wx-li,李四,第一党支部,党员,,是,,wx-li,',
  'dd-wang,王五·艾力,b2,委员,,否,,,dd-wang',
].join('\r\n');
const ENGLISH = [
  'id,name,branch,role,group,probationary,mobile,wecomUserId,dingtalkUserId',
  'dd-zhang,张三,b1,secretary,第一小组,false,13800000001,,dd-zhang',
  'wx-li,李四,b1,member,,true,,wx-li,',
  'dd-wang,王五·艾力,b2,committee,,false,,,dd-wang',
].join('\n');
/** The Chinese roster without its 编号 column: ids come from the 钉钉账号, else the 企业微信账号. */
const WITHOUT_IDS = CHINESE.split('\r\n')
  .map((line) => line.slice(line.indexOf(',') + 1))
  .join('\r\n');

const VARIANTS: [string, Buffer][] = [
  ['Chinese, UTF-8', Buffer.from(CHINESE)],
  ['Chinese, UTF-8 with BOM', Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(CHINESE)])],
  ['Chinese, GB18030', gb18030(CHINESE)],
  ['English, UTF-8', Buffer.from(ENGLISH)],
  ['English, GB18030', gb18030(ENGLISH)],
  ['Chinese without 编号, GB18030', gb18030(WITHOUT_IDS)],
];

describe.each(DIALECTS)('CSV encodings and headers on %s', (dialect) => {
  let t: TestApp;
  const upload = (org: string, body: Buffer) =>
    t.app.request(`/admin/orgs/${org}/members/import`, {
      method: 'POST',
      headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'text/csv' },
      body,
    });
  const rowsOf = async (org: string) =>
    (await listMembersPage(t.db, org, {}, '', 100)).map(({ id, name, branch_id, role, party_group, probationary, mobile, accounts }) => ({
      id,
      name,
      branch_id,
      role,
      party_group,
      probationary,
      mobile,
      accounts,
    }));

  beforeAll(async () => {
    t = await startTestApp(dialect);
    for (const [i] of [...VARIANTS, ['refused']].entries()) {
      const org = `v${i}`;
      expect((await t.admin('PUT', `/admin/orgs/${org}`, { name: `Org ${i}` })).status).toBe(200);
      expect((await t.admin('PUT', `/admin/orgs/${org}/branches/b1`, { name: '第一党支部' })).status).toBe(200);
      expect((await t.admin('PUT', `/admin/orgs/${org}/branches/b2`, { name: '第二党支部' })).status).toBe(200);
    }
  });
  afterAll(() => t.close());

  it('imports the same roster to identical rows whatever its encoding and headers', async () => {
    const imported = [];
    for (const [i, [name, bytes]] of VARIANTS.entries()) {
      const res = await upload(`v${i}`, bytes);
      expect(await res.json(), name).toEqual({ total: 3, imported: 3, failed: 0, errors: [] });
      imported.push(await rowsOf(`v${i}`));
    }
    expect(imported[0]).toEqual([
      {
        id: 'dd-wang',
        name: '王五·艾力',
        branch_id: 'b2',
        role: 'committee',
        party_group: null,
        probationary: false,
        mobile: null,
        accounts: { dingtalk: 'dd-wang' },
      },
      {
        id: 'dd-zhang',
        name: '张三',
        branch_id: 'b1',
        role: 'secretary',
        party_group: '第一小组',
        probationary: false,
        mobile: '13800000001',
        accounts: { dingtalk: 'dd-zhang' },
      },
      {
        id: 'wx-li',
        name: '李四',
        branch_id: 'b1',
        role: 'member',
        party_group: null,
        probationary: true,
        mobile: null,
        accounts: { wecom: 'wx-li' },
      },
    ]);
    for (const rows of imported.slice(1)) expect(rows).toEqual(imported[0]);
  });

  it('refuses a file that is neither UTF-8 nor GB18030, and UTF-8 holding mojibake, importing nothing', async () => {
    const org = `v${VARIANTS.length}`;
    const latin1 = Buffer.from('id,name,branch,role\nx1,José Müller,b1,member\n', 'latin1');
    const refused = await upload(org, latin1);
    expect(refused.status).toBe(400);
    expect(await refused.json()).toEqual({
      error: '文件：既不是 UTF-8 也不是 GB18030（GBK）编码，请在 Excel 中另存为「CSV UTF-8」后重新导入',
      field: 'body',
    });
    // 张三 saved as UTF-8, read back as Latin-1 and saved as UTF-8 again: 「å¼ ä¸‰」.
    const mojibake = Buffer.from(Buffer.from('id,name,branch,role\nx2,张三,b1,member\n').toString('latin1'), 'utf8');
    const twice = await upload(org, mojibake);
    expect(twice.status).toBe(400);
    expect(((await twice.json()) as { error: string }).error).toBe(
      '文件：本应是汉字的地方是乱码（文件曾按别的编码打开又保存），请用 Excel 打开原表格，另存为「CSV UTF-8」后重新导入',
    );
    expect(await rowsOf(org)).toEqual([]);
  });

  it('names a bad row as the spreadsheet numbers it, header included', async () => {
    const bad = gb18030(
      ['姓名,支部,角色,钉钉账号', '赵六,第一党支部,党员,dd-zhao', '钱七,第九党支部,党员,dd-qian', '孙八,第一党支部,主任,dd-sun'].join(
        '\r\n',
      ),
    );
    const result = (await (await upload('v0', bad)).json()) as { errors: { row: number; field: string }[] };
    expect(result.errors.map(({ row, field }) => ({ row, field }))).toEqual([
      { row: 3, field: 'branch' },
      { row: 4, field: 'role' },
    ]);
  });
});

import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { putAttendance, putMakeup } from '../db/attendance.ts';
import { putBranch } from '../db/branches.ts';
import { insertMeeting } from '../db/meetings.ts';
import { leaveMember, putMember } from '../db/members.ts';
import { insertNote } from '../db/notes.ts';
import { putOrg } from '../db/orgs.ts';
import { insertReport } from '../db/reports.ts';
import { fromLocal } from '../src/domain/time.ts';
import { type TestApp, startTestApp } from './helpers/app.ts';
import { DIALECTS, meetingRow, memberRow } from './helpers/db.ts';

// The branch's quarterly 三会一课台账, read back cell by cell: a held 党员大会 (quorum
// reached) with a leave, its 补学 and 纪要; a meeting nobody came to (not held); a cancelled one;
// reports with tags; a member who has left since and still appears where they were.

const TZ = 'Asia/Shanghai';
const at = (month: number, day: number, hour = 15, minute = 0) => fromLocal({ year: 2026, month, day, hour, minute }, TZ);

describe.each(DIALECTS)('the quarterly ledger on %s', (dialect) => {
  let t: TestApp;
  let book: ExcelJS.Workbook;
  const values = (sheet: string) =>
    book
      .getWorksheet(sheet)!
      .getSheetValues()
      .slice(1)
      .map((row) => (Array.isArray(row) ? row.slice(1) : []));

  beforeAll(async () => {
    t = await startTestApp(dialect, { now: at(12, 20, 10) });
    const now = at(10, 1, 9);
    await putOrg(t.db, { id: 'o1', name: '机关工委', timezone: TZ, digest_cron: null }, now);
    await putBranch(t.db, 'o1', 'b1', '第一党支部', [], now);
    // Ids in another order than names: the overview sorts by name.
    await putBranch(t.db, 'o1', 'a9', '机关第二党支部', [], now);
    await putBranch(t.db, 'o1', 'z1', '一支部', [], now);
    const people: [string, string, 'secretary' | 'member', number][] = [
      ['s1', '张书记', 'secretary', 0],
      ['m1', '王一', 'member', 0],
      ['m2', '李二', 'member', 0],
      ['p1', '赵预备', 'member', 1],
    ];
    for (const [id, name, role, probationary] of people) {
      await putMember(t.db, memberRow({ org_id: 'o1', id, name, role, probationary: probationary === 1 }), now);
    }
    const assembly = meetingRow({
      org_id: 'o1',
      code: 'AAA',
      type: 'assembly',
      starts_at: at(11, 20),
      topic: '学习全会精神',
      location: '三楼会议室',
      tags: ['research'],
      created_by: 's1',
    });
    const empty = meetingRow({ org_id: 'o1', code: 'BBB', type: 'lecture', starts_at: at(11, 27) });
    const cancelled = meetingRow({ org_id: 'o1', code: 'CCC', type: 'committee', starts_at: at(12, 3), status: 'cancelled' });
    for (const m of [assembly, empty, cancelled]) await insertMeeting(t.db, m);
    const mark = (member: string, status: 'present' | 'leave', note: string | null = null) =>
      putAttendance(
        t.db,
        { meeting_id: assembly.id, member_id: member, org_id: 'o1', status, note, at: at(11, 20, 15, 5), source: null },
        at(11, 20),
      );
    await mark('s1', 'present');
    await mark('m1', 'present');
    await mark('p1', 'present');
    await mark('m2', 'leave', '出差');
    await putMakeup(t.db, assembly.id, 'm2', '学习了全会精神，结合工作写了体会。', at(11, 22, 10));
    await insertNote(t.db, {
      id: 'n1',
      meeting_id: assembly.id,
      org_id: 'o1',
      member_id: 's1',
      text: '会议决定：各党小组月底前完成学习。',
      at: at(11, 20, 16),
    });
    const report = (id: string, member: string, category: 'enterprise' | 'public', text: string, tags: string[], day: number) =>
      insertReport(t.db, { id, org_id: 'o1', branch_id: 'b1', member_id: member, category, text, tags, at: at(11, day, 10), source: null });
    await report('r1', 'm1', 'enterprise', '走访某公司，协调用电问题', ['deploy'], 21);
    await report('r2', 'm2', 'public', '到社区接待来访群众', [], 23);
    // 王一 leaves in December: still in November's records.
    await leaveMember(t.db, 'o1', 'm1', at(12, 10), '调离', at(12, 10));

    const res = await t.admin('GET', '/admin/orgs/o1/branches/b1/ledger.xlsx?quarter=2026-Q4');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
    book = new ExcelJS.Workbook();
    await book.xlsx.load(await res.arrayBuffer());
  });
  afterAll(() => t.close());

  it('has five sheets, each with a title row and a frozen header row, columns sized to their text', () => {
    expect(book.worksheets.map((w) => w.name)).toEqual(['会议', '出勤', '请假与补学', '四服务汇报', '五同']);
    for (const ws of book.worksheets) {
      expect(ws.getCell('A1').value).toBe(`第一党支部 2026年第四季度 三会一课台账 · ${ws.name}`);
      expect(ws.views[0]).toMatchObject({ state: 'frozen', ySplit: 2 });
      for (let c = 1; c <= ws.columnCount; c++) expect(ws.getColumn(c).width).toBeGreaterThanOrEqual(8);
    }
    // The 议题 column is as wide as its longest text in double-width characters, plus a margin.
    expect(book.getWorksheet('会议')!.getColumn(3).width).toBe(14);
  });

  it('会议: a row a meeting, with its status and counts', () => {
    expect(values('会议').slice(1)).toEqual([
      ['编号', '类型', '议题', '时间', '地点', '状态', '应到', '实到', '请假', '缺席', '五同'],
      ['AAA', '支部党员大会', '学习全会精神', '2026年11月20日 15:00', '三楼会议室', '已召开', 4, 3, 1, 0, '同研究'],
      ['BBB', '党课', '', '2026年11月27日 15:00', '', '未召开', 4, 0, 0, '', ''],
      ['CCC', '支部委员会会议', '', '2026年12月3日 15:00', '', '已取消', 1, 0, 0, '', ''],
    ]);
  });

  it('出勤: a row a member a meeting, the member who left since included', () => {
    const rows = values('出勤').slice(2);
    expect(rows.filter((r) => r[0] === 'AAA').map((r) => [r[3], r[4], r[5] ?? ''])).toEqual([
      ['张书记', '到会', ''],
      ['王一', '到会', ''],
      ['李二', '请假', '2026年11月22日 10:00'],
      ['赵预备', '到会', ''],
    ]);
    expect(rows.filter((r) => r[0] === 'BBB').map((r) => r[4])).toEqual(['未召开', '未召开', '未召开', '未召开']);
  });

  it('请假与补学, 四服务汇报 and 五同', () => {
    expect(values('请假与补学').slice(2)).toEqual([
      [
        'AAA',
        '支部党员大会「学习全会精神」',
        '2026年11月20日 15:00',
        '李二',
        '请假',
        '出差',
        '2026年11月22日 10:00',
        '学习了全会精神，结合工作写了体会。',
      ],
    ]);
    expect(values('四服务汇报').slice(2)).toEqual([
      ['2026年11月21日 10:00', '王一', '服务企业', '走访某公司，协调用电问题', '同部署'],
      ['2026年11月23日 10:00', '李二', '服务群众', '到社区接待来访群众', ''],
    ]);
    expect(values('五同').slice(2)).toEqual([
      ['同研究', 1, 0, 1],
      ['同部署', 0, 1, 1],
      ['同检查', 0, 0, 0],
      ['同考核', 0, 0, 0],
      ['同讲评', 0, 0, 0],
    ]);
  });

  it('the org overview: a row a branch in name order, held/due per type, 五同 and reports, ranking nothing', async () => {
    const res = await t.admin('GET', '/admin/orgs/o1/ledger.xlsx?quarter=2026-Q4');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
    const overview = new ExcelJS.Workbook();
    await overview.xlsx.load(await res.arrayBuffer());
    const ws = overview.getWorksheet('各支部')!;
    expect(ws.views[0]).toMatchObject({ state: 'frozen', ySplit: 2 });
    const rows = ws
      .getSheetValues()
      .slice(1)
      .map((row) => (Array.isArray(row) ? row.slice(1) : []));
    expect(rows[0]![0]).toBe('机关工委 2026年第四季度 三会一课汇总');
    expect(rows[1]).toEqual([
      '支部',
      '支部党员大会（已开/应开）',
      '支部委员会会议（已开/应开）',
      '党小组会（已开/应开）',
      '党课（已开/应开）',
      '主题党日（已开/应开）',
      '组织生活会（已开/应开）',
      '同研究',
      '同部署',
      '同检查',
      '同考核',
      '同讲评',
      '四服务汇报',
    ]);
    // No branch has 党小组: 党小组会 is not due (—). The not-held 党课 and the cancelled 支委会 count nowhere.
    const empty = ['0/1', '0/3', '—', '0/1', '0/3', '0/1', 0, 0, 0, 0, 0, 0];
    expect(rows.slice(2)).toEqual([
      ['一支部', ...empty],
      ['机关第二党支部', ...empty],
      ['第一党支部', '1/1', '0/3', '—', '0/1', '0/3', '0/1', 1, 1, 0, 0, 0, 2],
    ]);
  });

  it('refuses a malformed quarter and another org’s branch', async () => {
    expect(await (await t.admin('GET', '/admin/orgs/o1/branches/b1/ledger.xlsx?quarter=2026Q4')).json()).toMatchObject({
      field: 'quarter',
    });
    expect((await t.admin('GET', '/admin/orgs/o1/branches/nope/ledger.xlsx')).status).toBe(404);
  });
});

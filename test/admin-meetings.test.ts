import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import type { Meeting, Member } from '../db/schema.ts';
import { putAttendance, putMakeup } from '../db/attendance.ts';
import { putBranch } from '../db/branches.ts';
import JSZip from 'jszip';
import { insertMeeting } from '../db/meetings.ts';
import { putMember } from '../db/members.ts';
import { insertNote } from '../db/notes.ts';
import { putOrg } from '../db/orgs.ts';
import { type TestApp, startTestApp } from './helpers/app.ts';
import { DIALECTS, meetingRow, memberRow } from './helpers/db.ts';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
// The test clock: 2026-11-28 10:00 in Shanghai.
const NOW = Date.UTC(2026, 10, 28, 2, 0, 0);
const ASSEMBLY_AT = Date.UTC(2026, 10, 20, 6, 30); // 2026-11-20 14:30 +08:00
const LECTURE_AT = Date.UTC(2026, 10, 25, 1, 0); // 2026-11-25 09:00 +08:00
const COMMITTEE_AT = Date.UTC(2026, 11, 5, 7, 0); // 2026-12-05 15:00 +08:00
const OLD_AT = Date.UTC(2025, 0, 10, 2, 0); // 2025-01-10 10:00 +08:00, same code as the assembly
const BERLIN_AT = Date.UTC(2026, 10, 26, 13, 0); // 2026-11-26 14:00 +01:00

describe.each(DIALECTS)('admin meetings API on %s', (dialect) => {
  let t: TestApp;

  const member = (org: string, id: string, name: string, extra: Partial<Member> = {}) =>
    putMember(t.db, memberRow({ org_id: org, id, name, ...extra }), NOW);

  const meeting = (m: Pick<Meeting, 'id' | 'org_id' | 'code' | 'type' | 'starts_at'> & Partial<Meeting>) =>
    insertMeeting(t.db, meetingRow({ created_at: NOW - 30 * DAY, updated_at: NOW - 30 * DAY, ...m }));

  const get = async (path: string) => {
    const res = await t.admin('GET', `/admin/orgs${path}`);
    return { status: res.status, body: (await res.json()) as Record<string, unknown> & Record<number, Record<string, unknown>> };
  };

  beforeAll(async () => {
    t = await startTestApp(dialect, { now: NOW });
    await putOrg(t.db, { id: 'o1', name: '机关党委', timezone: 'Asia/Shanghai', digest_cron: null }, NOW);
    await putOrg(t.db, { id: 'o2', name: 'Berlin', timezone: 'Europe/Berlin', digest_cron: null }, NOW);
    await putBranch(t.db, 'o1', 'b1', '第一党支部', [], NOW);
    await putBranch(t.db, 'o1', 'b2', '第二党支部', [], NOW);
    await putBranch(t.db, 'o2', 'b1', 'Zweite', [], NOW);

    await member('o1', 'm1', '张书记', { role: 'secretary' });
    await member('o1', 'm2', '李委员', { role: 'committee' });
    await member('o1', 'm3', '王三');
    await member('o1', 'm4', '赵预备', { probationary: true });
    await member('o1', 'm5', '钱五');
    await member('o1', 'x1', '别支部的人', { branch_id: 'b2' });
    await member('o2', 'm1', 'Anna', { role: 'secretary' });

    await meeting({
      id: 'mt-assembly',
      org_id: 'o1',
      code: 'ABC',
      type: 'assembly',
      starts_at: ASSEMBLY_AT,
      topic: '学习**二十大**精神 @所有人',
      location: '三楼会议室',
      tags: ['research', 'deploy'],
      // Scheduled by someone of another branch: the record still names its host.
      created_by: 'x1',
    });
    await meeting({ id: 'mt-old', org_id: 'o1', code: 'ABC', type: 'lecture', starts_at: OLD_AT, topic: '旧的党课' });
    await meeting({ id: 'mt-lecture', org_id: 'o1', code: 'GHJ', type: 'lecture', starts_at: LECTURE_AT, status: 'cancelled' });
    await meeting({ id: 'mt-committee', org_id: 'o1', code: 'DEF', type: 'committee', starts_at: COMMITTEE_AT, location: '二楼' });
    await meeting({ id: 'mt-berlin', org_id: 'o2', code: 'XYZ', type: 'assembly', starts_at: BERLIN_AT });

    const at = (meeting_id: string, member_id: string, status: 'present' | 'leave' | 'absent', note: string | null = null) =>
      putAttendance(t.db, { meeting_id, member_id, org_id: 'o1', status, note, at: ASSEMBLY_AT, source: null }, ASSEMBLY_AT);
    await at('mt-assembly', 'm1', 'present');
    await at('mt-assembly', 'm4', 'present');
    await at('mt-assembly', 'm2', 'leave', '出差 @所有人');
    await at('mt-assembly', 'm3', 'absent');
    await putMakeup(t.db, 'mt-assembly', 'm3', '学习了会议精神', ASSEMBLY_AT + 2 * DAY);
    await at('mt-committee', 'm2', 'leave', '外出调研');

    const note = (id: string, text: string, offset: number, member_id = 'm1') =>
      insertNote(t.db, { id, meeting_id: 'mt-assembly', org_id: 'o1', member_id, text, at: ASSEMBLY_AT + offset });
    await note('n2', '同意钱五同志转正', 2 * HOUR);
    await note('n1', '通过年度学习计划', HOUR);
    await note('n3', '另由别支部的人补记', 3 * HOUR, 'x1');
  });

  afterAll(async () => {
    await t?.close();
  });

  it('lists the branch meetings of the last and next 366 days, with ISO times in the org’s offset', async () => {
    const { status, body } = await get('/o1/branches/b1/meetings');
    expect(status).toBe(200);
    expect(body).toEqual([
      {
        code: 'ABC',
        type: 'assembly',
        topic: '学习**二十大**精神 @所有人',
        location: '三楼会议室',
        startsAt: '2026-11-20T14:30:00.000+08:00',
        status: 'held',
        tags: ['research', 'deploy'],
      },
      {
        code: 'GHJ',
        type: 'lecture',
        topic: null,
        location: null,
        startsAt: '2026-11-25T09:00:00.000+08:00',
        status: 'cancelled',
        tags: [],
      },
      {
        code: 'DEF',
        type: 'committee',
        topic: null,
        location: '二楼',
        startsAt: '2026-12-05T15:00:00.000+08:00',
        status: 'scheduled',
        tags: [],
      },
    ]);
    const berlin = await get('/o2/branches/b1/meetings');
    expect(berlin.body).toEqual([
      {
        code: 'XYZ',
        type: 'assembly',
        topic: null,
        location: null,
        startsAt: '2026-11-26T14:00:00.000+01:00',
        // Nobody checked in and no 纪要, and its check-in closed two days ago.
        status: 'not_held',
        tags: [],
      },
    ]);
    expect((await get('/o1/branches/b2/meetings')).body).toEqual([]);
  });

  it('filters by from and to, as epoch ms or ISO 8601', async () => {
    const codes = async (query: string) =>
      ((await get(`/o1/branches/b1/meetings?${query}`)).body as unknown as { code: string; startsAt: string }[]).map(
        (m) => `${m.code}@${m.startsAt.slice(0, 10)}`,
      );
    expect(await codes('from=2025-01-01&to=2025-12-31')).toEqual(['ABC@2025-01-10']);
    expect(await codes(`from=${LECTURE_AT}`)).toEqual(['GHJ@2026-11-25', 'DEF@2026-12-05']);
    // `to` is exclusive; an ISO time with its offset.
    expect(await codes(`from=2026-11-01T00:00:00%2B08:00&to=${encodeURIComponent('2026-11-25T09:00:00+08:00')}`)).toEqual([
      'ABC@2026-11-20',
    ]);
    expect(await codes('from=2026-11-20T06:30:00Z&to=2026-11-20T06:30:00.001Z')).toEqual(['ABC@2026-11-20']);
  });

  it('answers 400 naming the field of a bad from or to', async () => {
    for (const [query, field] of [
      ['from=yesterday', 'from'],
      ['from=2026-13-01', 'from'],
      ['to=12:00', 'to'],
    ] as const) {
      const { status, body } = await get(`/o1/branches/b1/meetings?${query}`);
      expect(status).toBe(400);
      expect(body.field).toBe(field);
      expect(String(body.error).startsWith(`${field}: `)).toBe(true);
    }
  });

  it('answers 404 for an unknown org or branch', async () => {
    for (const path of [
      '/nope/branches/b1/meetings',
      '/o1/branches/nope/meetings',
      '/nope/branches/b1/meetings/ABC/attendance',
      '/o1/branches/b9/meetings/ABC/record',
    ]) {
      expect((await get(path)).status).toBe(404);
    }
    expect((await get('/o2/branches/b2/meetings')).status).toBe(404);
  });

  it('gives the attendance of a meeting as member ids', async () => {
    const { status, body } = await get('/o1/branches/b1/meetings/ABC/attendance');
    expect(status).toBe(200);
    expect(body).toEqual({
      expected: ['m1', 'm2', 'm3', 'm4', 'm5'],
      present: ['m1', 'm4'],
      leave: ['m2'],
      absent: ['m3', 'm5'],
      makeup: ['m3'],
    });
    // Codes are typed in any case.
    expect((await get('/o1/branches/b1/meetings/abc/attendance')).body).toEqual(body);
    // Not started yet: nobody is absent; a 支委会 expects the secretary and committee only.
    expect((await get('/o1/branches/b1/meetings/DEF/attendance')).body).toEqual({
      expected: ['m1', 'm2'],
      present: [],
      leave: ['m2'],
      absent: [],
      makeup: [],
    });
  });

  it('answers 404 for an unknown code, a malformed one, or another org’s or branch’s code', async () => {
    for (const end of ['attendance', 'record']) {
      expect((await get(`/o1/branches/b1/meetings/ZZZ/${end}`)).status).toBe(404);
      expect((await get(`/o1/branches/b1/meetings/A1/${end}`)).status).toBe(404);
      expect((await get(`/o1/branches/b1/meetings/XYZ/${end}`)).status).toBe(404);
      expect((await get(`/o1/branches/b2/meetings/ABC/${end}`)).status).toBe(404);
      expect((await get(`/o2/branches/b1/meetings/ABC/${end}`)).status).toBe(404);
    }
    const own = await get('/o2/branches/b1/meetings/XYZ/attendance');
    expect(own.status).toBe(200);
    expect(own.body).toEqual({ expected: ['m1'], present: [], leave: [], absent: ['m1'], makeup: [] });
  });

  it('builds the meeting record of the most recent meeting with the code', async () => {
    const { status, body } = await get('/o1/branches/b1/meetings/ABC/record');
    expect(status).toBe(200);
    const { markdown, ...facts } = body as unknown as { markdown: string } & Record<string, unknown>;
    expect(facts).toEqual({
      code: 'ABC',
      type: 'assembly',
      typeLabel: '支部党员大会',
      topic: '学习**二十大**精神 @所有人',
      location: '三楼会议室',
      startsAt: '2026-11-20T14:30:00.000+08:00',
      status: 'held',
      statusNote: null,
      tags: ['research', 'deploy'],
      expected: [
        { id: 'm1', name: '张书记' },
        { id: 'm2', name: '李委员' },
        { id: 'm3', name: '王三' },
        { id: 'm4', name: '赵预备' },
        { id: 'm5', name: '钱五' },
      ],
      present: [
        { id: 'm1', name: '张书记' },
        { id: 'm4', name: '赵预备' },
      ],
      leave: [{ id: 'm2', name: '李委员', reason: '出差 @所有人' }],
      absent: [
        { id: 'm3', name: '王三' },
        { id: 'm5', name: '钱五' },
      ],
      pending: [],
      makeup: [{ id: 'm3', name: '王三', at: '2026-11-22T14:30:00.000+08:00' }],
      resolutions: [
        { at: '2026-11-20T15:30:00.000+08:00', by: { id: 'm1', name: '张书记' }, text: '通过年度学习计划' },
        { at: '2026-11-20T16:30:00.000+08:00', by: { id: 'm1', name: '张书记' }, text: '同意钱五同志转正' },
        { at: '2026-11-20T17:30:00.000+08:00', by: { id: 'x1', name: '别支部的人' }, text: '另由别支部的人补记' },
      ],
      // Four formal members expected (赵预备 is probationary), one present.
      quorum: { formal: 4, presentFormal: 1, reached: false },
      // The host is who scheduled it; the recorder the first who added a 纪要.
      host: { id: 'x1', name: '别支部的人' },
      recorder: { id: 'm1', name: '张书记' },
      backfilled: null,
    });
    expect(markdown).toContain('- 主持人：别支部的人');
    expect(markdown).toContain('- 记录人：张书记');
    expect(markdown.startsWith('### 支部党员大会会议记录\n')).toBe(true);
    expect(markdown).toContain('- 支部：第一党支部');
    expect(markdown).toContain('- 时间：2026年11月20日（周五）14:30');
    expect(markdown).toContain('- 议题：学习＊＊二十大＊＊精神 @\u200b所有人');
    expect(markdown).toContain('- 实到 2 人：张书记、赵预备');
    expect(markdown).toContain('- 李委员（请假）：出差 @\u200b所有人');
    expect(markdown).toContain('- 正式党员应到 4 人，实到 1 人，未过半数（预备党员不计入）');
    expect(markdown).toContain('1. 通过年度学习计划');
    expect(markdown.indexOf('2. 同意钱五同志转正')).toBeGreaterThan(markdown.indexOf('1. 通过年度学习计划'));
  });

  it('gives the record as a Word document: every item a 会议记录 holds in its row', async () => {
    const res = await t.admin('GET', '/admin/orgs/o1/branches/b1/meetings/ABC/record.docx');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/vnd.openxmlformats-officedocument.wordprocessingml.document');
    expect(res.headers.get('content-disposition')).toContain(
      `filename*=UTF-8''${encodeURIComponent('第一党支部支部党员大会记录（ABC）.docx')}`,
    );
    const zip = await JSZip.loadAsync(await res.arrayBuffer());
    const xml = await zip.file('word/document.xml')!.async('string');
    // The table's rows as text: a label cell, then its value cell(s).
    const rows = [...xml.matchAll(/<w:tr>(.*?)<\/w:tr>/gs)].map((row) =>
      [...row[1]!.matchAll(/<w:tc>(.*?)<\/w:tc>/gs)].map((cell) =>
        [...cell[1]!.matchAll(/<w:t[^>]*>([^<]*)<\/w:t>/g)].map((t) => t[1]).join('\n'),
      ),
    );
    expect(Object.fromEntries(rows.map(([label, value]) => [label, value]))).toEqual({
      支部: '第一党支部',
      名称: '支部党员大会',
      时间: '2026年11月20日 14:30',
      地点: '三楼会议室',
      主持人: '别支部的人',
      记录人: '张书记',
      应到: '5 人：张书记、李委员、王三、赵预备、钱五',
      实到: '2 人：张书记、赵预备',
      请假: '1 人：李委员（出差 @所有人）',
      缺席: '2 人：王三、钱五',
      党员大会过半数: '正式党员应到 4 人，实到 1 人，未过半数',
      // Text is text in a Word file: the markdown stars stay as typed, escaped as XML.
      议题: '学习**二十大**精神 @所有人',
      纪要与决议: '1. 通过年度学习计划\n2. 同意钱五同志转正\n3. 另由别支部的人补记',
    });
    expect(xml).toContain('支部党员大会记录');
    expect((await t.app.request('/admin/orgs/o1/branches/b1/meetings/ABC/record.docx')).status).toBe(401);
    expect((await t.admin('GET', '/admin/orgs/o1/branches/b1/meetings/ZZZ/record.docx')).status).toBe(404);
  });

  it('gives the record of a cancelled meeting, marked so, and of another type without quorum', async () => {
    const cancelled = await get('/o1/branches/b1/meetings/ghj/record');
    expect(cancelled.status).toBe(200);
    expect(cancelled.body).toMatchObject({
      code: 'GHJ',
      type: 'lecture',
      typeLabel: '党课',
      status: 'cancelled',
      absent: [],
      resolutions: [],
    });
    expect(cancelled.body).not.toHaveProperty('quorum');
    expect(String(cancelled.body.markdown)).toContain('- 状态：**已取消**');

    const berlin = await get('/o2/branches/b1/meetings/XYZ/record');
    expect(berlin.body).toMatchObject({
      startsAt: '2026-11-26T14:00:00.000+01:00',
      quorum: { formal: 1, presentFormal: 0, reached: false },
    });
  });

  it('answers 401 without a token', async () => {
    for (const path of ['/meetings', '/meetings/ABC/attendance', '/meetings/ABC/record']) {
      const res = await t.app.request(`/admin/orgs/o1/branches/b1${path}`);
      expect(res.status).toBe(401);
      const wrong = await t.app.request(`/admin/orgs/o1/branches/b1${path}`, { headers: { authorization: 'Bearer wrong' } });
      expect(wrong.status).toBe(401);
    }
  });
});

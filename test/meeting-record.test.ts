import { describe, it, expect } from 'vitest';
import type { RecordAttendance, RecordFacts, RecordMember } from '../src/domain/meeting-record.ts';
import { buildMeetingRecord } from '../src/render/meeting-record.ts';
import { meetingAttendance } from '../src/domain/meetings.ts';
import { recordDocx, recordRows } from '../src/render/record-docx.ts';
import { isoWithOffset } from '../src/domain/time.ts';
import JSZip from 'jszip';

const TZ = 'Asia/Shanghai';
const HOUR = 3_600_000;
// 2026-12-05 14:30 in Shanghai.
const STARTS = Date.UTC(2026, 11, 5, 6, 30);

const member = (id: string, name: string, extra: Partial<RecordMember> = {}): RecordMember => ({
  id,
  name,
  role: 'member',
  party_group: null,
  probationary: false,
  ...extra,
});

const members: RecordMember[] = [
  member('m1', '张书记', { role: 'secretary' }),
  member('m2', '李委员', { role: 'committee' }),
  member('m3', '王三'),
  member('m4', '赵四'),
  member('m5', '钱五'),
  member('m6', '孙六'),
  member('m7', '周七'),
  member('m8', '吴预备', { probationary: true }),
  member('m9', '郑_预备', { probationary: true }),
];

const row = (member_id: string, status: RecordAttendance['status'], extra: Partial<RecordAttendance> = {}): RecordAttendance => ({
  member_id,
  status,
  note: null,
  makeup_at: null,
  ...extra,
});

const attendance: RecordAttendance[] = [
  row('m1', 'present'),
  row('m2', 'present'),
  row('m3', 'present'),
  row('m4', 'present'),
  row('m8', 'present'),
  row('m5', 'leave', { note: '出差 **北京** @所有人' }),
  row('m7', 'absent', { makeup_at: STARTS + 48 * HOUR }),
];

const facts = (over: Partial<RecordFacts> = {}): RecordFacts => ({
  meeting: {
    code: 'K7Q',
    type: 'assembly',
    topic: '学习**二十大**精神 @所有人',
    location: '三楼<会议室>',
    party_group: null,
    starts_at: STARTS,
    status: 'scheduled',
    status_note: null,
    tags: ['research', 'deploy'],
    created_by: 'm1',
    host_id: null,
    recorder_id: null,
    backfilled: false,
    created_at: STARTS - 86_400_000,
  },
  members,
  attendance,
  notes: [
    { id: 'n2', member_id: 'm1', text: '第二项：同意接收吴预备为预备党员', at: STARTS + 2 * HOUR },
    { id: 'n1', member_id: 'm1', text: '第一项：通过 `年度计划`\n并报上级', at: STARTS + HOUR },
    { id: 'n3', member_id: 'x9', text: '第三项：由已调离者记录', at: STARTS + 2 * HOUR },
  ],
  others: [{ id: 'x9', name: '调走的人' }],
  tz: TZ,
  now: STARTS + 72 * HOUR,
  checkinCloses: 2 * HOUR,
  ...over,
});

describe('buildMeetingRecord', () => {
  it('gives the facts of a 党员大会 as JSON', () => {
    const r = buildMeetingRecord(facts());
    expect(r).toMatchObject({
      code: 'K7Q',
      type: 'assembly',
      typeLabel: '支部党员大会',
      topic: '学习**二十大**精神 @所有人',
      location: '三楼<会议室>',
      startsAt: '2026-12-05T14:30:00.000+08:00',
      status: 'held',
      tags: ['research', 'deploy'],
    });
    expect(r.expected.map((m) => m.id)).toEqual(['m1', 'm2', 'm3', 'm4', 'm5', 'm6', 'm7', 'm8', 'm9']);
    expect(r.present).toEqual([
      { id: 'm1', name: '张书记' },
      { id: 'm2', name: '李委员' },
      { id: 'm3', name: '王三' },
      { id: 'm4', name: '赵四' },
      { id: 'm8', name: '吴预备' },
    ]);
    expect(r.leave).toEqual([{ id: 'm5', name: '钱五', reason: '出差 **北京** @所有人' }]);
    expect(r.absent).toEqual([
      { id: 'm6', name: '孙六' },
      { id: 'm7', name: '周七' },
      { id: 'm9', name: '郑_预备' },
    ]);
    expect(r.makeup).toEqual([{ id: 'm7', name: '周七', at: '2026-12-07T14:30:00.000+08:00' }]);
    expect(r.resolutions).toEqual([
      { at: '2026-12-05T15:30:00.000+08:00', by: { id: 'm1', name: '张书记' }, text: '第一项：通过 `年度计划`\n并报上级' },
      { at: '2026-12-05T16:30:00.000+08:00', by: { id: 'm1', name: '张书记' }, text: '第二项：同意接收吴预备为预备党员' },
      { at: '2026-12-05T16:30:00.000+08:00', by: { id: 'x9', name: '调走的人' }, text: '第三项：由已调离者记录' },
    ]);
    // 7 formal members expected, 4 present: more than half; the probationary one present does not count.
    expect(r.quorum).toEqual({ formal: 7, presentFormal: 4, reached: true });
  });

  it('writes a readable 会议记录 with every user text escaped', () => {
    const md = buildMeetingRecord(facts()).markdown;
    expect(md.startsWith('### 支部党员大会会议记录\n')).toBe(true);
    expect(md).toContain('- 时间：2026年12月5日（周六）14:30');
    expect(md).toContain('- 地点：三楼＜会议室＞');
    expect(md).toContain('- 议题：学习＊＊二十大＊＊精神 @\u200b所有人');
    expect(md).toContain('- 五同：同研究、同部署');
    expect(md).toContain('- 应到 9 人：张书记、李委员、王三、赵四、钱五、孙六、周七、吴预备、郑＿预备');
    expect(md).toContain('- 实到 5 人：张书记、李委员、王三、赵四、吴预备');
    expect(md).toContain('- 请假 1 人：钱五');
    expect(md).toContain('- 缺席 3 人：孙六、周七、郑＿预备');
    expect(md).toContain('- 正式党员应到 7 人，实到 4 人，已过半数（预备党员不计入）');
    expect(md).toContain('**缺席及请假事由**');
    expect(md).toContain('- 钱五（请假）：出差 ＊＊北京＊＊ @\u200b所有人');
    expect(md).toContain('- 孙六（缺席）：未请假');
    expect(md).toContain('- 已补学：周七（2026年12月7日）');
    expect(md).toContain('**会议决定（纪要）**');
    const first = md.indexOf('1. 第一项：通过 ｀年度计划｀ 并报上级（张书记 记录于 12月5日 15:30）');
    const second = md.indexOf('2. 第二项：同意接收吴预备为预备党员（张书记 记录于 12月5日 16:30）');
    const third = md.indexOf('3. 第三项：由已调离者记录（调走的人 记录于 12月5日 16:30）');
    expect(first).toBeGreaterThan(0);
    expect(second).toBeGreaterThan(first);
    expect(third).toBeGreaterThan(second);
    // No raw user markup and no live mention anywhere.
    expect(md).not.toContain('**二十大**');
    expect(md).not.toMatch(/@所有人/);
    expect(md).not.toContain('<会议室>');
  });

  it('says when half of the formal members were not present', () => {
    const fewer = attendance.filter((a) => a.member_id !== 'm4');
    const r = buildMeetingRecord(facts({ attendance: fewer }));
    expect(r.quorum).toEqual({ formal: 7, presentFormal: 3, reached: false });
    expect(r.markdown).toContain('- 正式党员应到 7 人，实到 3 人，未过半数（预备党员不计入）');
  });

  it('has no quorum for other types and expects only the 支委 at a 支委会', () => {
    const meeting = { ...facts().meeting, type: 'committee' as const, topic: null, location: null, tags: [] };
    const r = buildMeetingRecord(facts({ meeting, notes: [] }));
    expect(r).not.toHaveProperty('quorum');
    expect(r.typeLabel).toBe('支部委员会会议');
    expect(r.expected.map((m) => m.id)).toEqual(['m1', 'm2']);
    expect(r.absent).toEqual([]);
    expect(r.markdown.startsWith('### 支部委员会会议记录\n')).toBe(true);
    expect(r.markdown).toContain('- 议题：未填写');
    expect(r.markdown).toContain('- 地点：未填写');
    expect(r.markdown).not.toContain('五同');
    expect(r.markdown).not.toContain('过半数');
    expect(r.markdown).not.toContain('缺席及请假事由');
    expect(r.markdown).toMatch(/\*\*会议决定（纪要）\*\*\n\n无$/);
  });

  it('lists no absentees before the meeting starts, nor for a cancelled one', () => {
    const early = buildMeetingRecord(facts({ attendance: [row('m5', 'leave', { note: '出差' })], notes: [], now: STARTS - HOUR }));
    expect(early.absent).toEqual([]);
    expect(early.leave).toEqual([{ id: 'm5', name: '钱五', reason: '出差' }]);
    expect(early.markdown).toContain('- 状态：已安排');
    expect(early.markdown).toContain('- 尚未签到 8 人：');
    expect(early.markdown).not.toContain('过半数');

    const cancelled = buildMeetingRecord(facts({ meeting: { ...facts().meeting, status: 'cancelled' } }));
    expect(cancelled.status).toBe('cancelled');
    expect(cancelled.absent).toEqual([]);
    expect(cancelled.markdown).toContain('- 状态：**已取消**');
  });

  it('is not held when nobody came and no 纪要 was written once check-in closed, or when called off after the start', () => {
    const empty = buildMeetingRecord(facts({ attendance: [row('m5', 'leave', { note: '出差' })], notes: [] }));
    expect(empty.status).toBe('not_held');
    expect(empty.absent).toEqual([]);
    expect(empty.markdown).toContain('- 状态：**未召开**');
    expect(empty.markdown).not.toMatch(/- 缺席 \d+ 人|（缺席）/);
    expect(empty.markdown).not.toContain('过半数');

    const during = buildMeetingRecord(facts({ attendance: [], notes: [], now: STARTS + HOUR }));
    expect(during.status).toBe('scheduled');
    expect(during.markdown).toContain('- 尚未签到 9 人：');

    const calledOff = buildMeetingRecord(
      facts({ meeting: { ...facts().meeting, status: 'not_held', status_note: '防汛任务紧急 **改期**' } }),
    );
    expect(calledOff.status).toBe('not_held');
    expect(calledOff.statusNote).toBe('防汛任务紧急 **改期**');
    expect(calledOff.markdown).toContain('- 状态：**未召开**（防汛任务紧急 ＊＊改期＊＊）');
    expect(calledOff.absent).toEqual([]);
  });

  it('a meeting entered with 补录 is held with nobody registered yet, and says who entered it and when, in markdown and Word', () => {
    const entered = STARTS + 20 * 24 * HOUR;
    const record = buildMeetingRecord(
      facts({ meeting: { ...facts().meeting, backfilled: true, created_at: entered }, attendance: [], notes: [], now: entered }),
    );
    expect(record.status).toBe('held');
    expect(record.backfilled).toEqual({ by: { id: 'm1', name: '张书记' }, at: isoWithOffset(entered, TZ) });
    expect(record.markdown).toContain('- 补录：2026年12月25日由张书记录入，会议召开时未使用机器人');
    const rows = new Map(recordRows(record, { branch: '第一党支部', startsAt: STARTS, tz: TZ }));
    expect(rows.get('补录')).toEqual(['2026年12月25日由张书记录入，会议召开时未使用机器人']);
    expect(buildMeetingRecord(facts()).backfilled).toBeNull();
    expect(new Map(recordRows(buildMeetingRecord(facts()), { branch: '第一党支部', startsAt: STARTS, tz: TZ })).has('补录')).toBe(false);
  });

  it('meetingAttendance matches the record’s lists', () => {
    const f = facts();
    const lists = meetingAttendance(f.meeting, f.members, f.attendance, f.now);
    expect(lists.absent.map((m) => m.id)).toEqual(['m6', 'm7', 'm9']);
    expect(lists.makeup.map((m) => m.id)).toEqual(['m7']);
  });

  it('the Word record shows the same attendance lines as the markdown one, so that they add up', async () => {
    // The table's rows as label → text, read from the document itself.
    const docxRows = async (record: ReturnType<typeof buildMeetingRecord>) => {
      const bytes = await recordDocx(record, { branch: '第一党支部', startsAt: STARTS, tz: TZ });
      const xml = await (await JSZip.loadAsync(bytes)).file('word/document.xml')!.async('string');
      return Object.fromEntries(
        [...xml.matchAll(/<w:tr>(.*?)<\/w:tr>/gs)].map((tr) => {
          const [label, value] = [...tr[1]!.matchAll(/<w:tc>(.*?)<\/w:tc>/gs)].map((tc) =>
            [...tc[1]!.matchAll(/<w:t[^>]*>([^<]*)<\/w:t>/g)].map((t) => t[1]).join('\n'),
          );
          return [label!, value!];
        }),
      );
    };
    const count = (text: string | undefined) => Number(/^(\d+) 人/.exec(text ?? '')?.[1]);

    const early = buildMeetingRecord(
      facts({ attendance: [row('m1', 'present'), row('m5', 'leave', { note: '出差' })], notes: [], now: STARTS - 10 * 60_000 }),
    );
    expect(early.markdown).toContain('- 尚未签到 7 人：');
    const before = await docxRows(early);
    expect(before['尚未签到']).toBe('7 人：李委员、王三、赵四、孙六、周七、吴预备、郑_预备');
    expect(before).not.toHaveProperty('缺席');
    expect(before).not.toHaveProperty('党员大会过半数');
    expect(count(before['应到'])).toBe(count(before['实到']) + count(before['请假']) + count(before['尚未签到']));

    const held = await docxRows(buildMeetingRecord(facts()));
    expect(held).not.toHaveProperty('尚未签到');
    expect(count(held['应到'])).toBe(count(held['实到']) + count(held['请假']) + count(held['缺席']));

    const notHeld = await docxRows(buildMeetingRecord(facts({ attendance: [], notes: [] })));
    expect(notHeld).not.toHaveProperty('尚未签到');
    expect(notHeld).not.toHaveProperty('缺席');
  });
});

import { coverageTags } from './digest/figures.ts';
import {
  type Evidence,
  MEETING_TYPES,
  type MemberFacts,
  STATE_LABELS,
  isHeld,
  meetingAttendance,
  heldOfDue,
  meetingState,
  progress,
  stateText,
  typesDue,
} from './meetings.ts';
import type { AttendanceTable, Meeting, Member, ServiceReport } from './records.ts';
import { fileDateTime } from './time.ts';
import { CATEGORY_LABELS, type FiveTag, MEETING_LABELS, TAG_LABELS, fiveTagsOf } from './vocabulary.ts';

// A branch's quarterly 三会一课台账 as rows, laid out as a 机关 files it: headers in Chinese, times as
// 2026年12月1日 14:30. Five sheets: 会议 (a row a meeting), 出勤 (a row a member a meeting), 请假与补学,
// 四服务汇报, 五同. Nothing ranks members. The workbook itself is drawn in src/render/ledger.ts.

export interface LedgerFacts {
  branch: { id: string; name: string };
  /** `2026年第四季度`. */
  quarterLabel: string;
  tz: string;
  now: number;
  checkinCloses: number;
  /** The quarter's meetings, earliest first. */
  meetings: (Pick<
    Meeting,
    'id' | 'code' | 'type' | 'topic' | 'location' | 'party_group' | 'starts_at' | 'status' | 'status_note' | 'tags' | 'backfilled'
  > &
    Evidence)[];
  /** The branch's roster over time (who was expected is read at each meeting's start). */
  members: (MemberFacts & Pick<Member, 'id' | 'name'>)[];
  attendance: Pick<AttendanceTable, 'meeting_id' | 'member_id' | 'status' | 'note' | 'makeup_at' | 'makeup_note'>[];
  reports: Pick<ServiceReport, 'member_id' | 'category' | 'text' | 'tags' | 'at'>[];
}

export type Row = (string | number)[];

/** The rows of each sheet: a pure function of the facts (tests read them back from the file). */
export function ledgerSheets(f: LedgerFacts): { name: string; header: string[]; rows: Row[] }[] {
  const time = (ms: number) => fileDateTime(ms, f.tz);
  const names = new Map(f.members.map((m) => [m.id, m.name]));
  const meetingName = (m: LedgerFacts['meetings'][number]) => `${MEETING_LABELS[m.type]}${m.topic ? `「${m.topic}」` : ''}`;
  const tagText = (tags: FiveTag[]) => tags.map((t) => TAG_LABELS[t]).join('、');

  const meetings: Row[] = [];
  const attendance: Row[] = [];
  const leave: Row[] = [];
  for (const m of f.meetings) {
    const rows = f.attendance.filter((a) => a.meeting_id === m.id);
    const lists = meetingAttendance(m, f.members, rows, f.now);
    const state = meetingState(m, f.now, f.checkinCloses);
    const held = state === 'held';
    const status = `${stateText(m, state)}${state === 'not_held' && m.status_note ? `（${m.status_note}）` : ''}`;
    meetings.push([
      m.code,
      MEETING_LABELS[m.type],
      m.topic ?? '',
      time(m.starts_at),
      m.location ?? '',
      status,
      lists.expected.length,
      lists.present.length,
      lists.leave.length,
      held ? lists.absent.length : '',
      tagText(fiveTagsOf(m.tags)),
    ]);
    const byMember = new Map(rows.map((r) => [r.member_id, r]));
    for (const person of lists.expected) {
      const row = byMember.get(person.id);
      const outcome =
        row?.status === 'present' ? '到会' : row?.status === 'leave' ? '请假' : held && lists.absent.includes(person) ? '缺席' : '';
      const makeup = row?.makeup_at != null ? time(row.makeup_at) : '';
      attendance.push([m.code, meetingName(m), time(m.starts_at), person.name, held ? outcome : STATE_LABELS[state], makeup]);
      if (outcome === '请假' || outcome === '缺席') {
        leave.push([m.code, meetingName(m), time(m.starts_at), person.name, outcome, row?.note ?? '', makeup, row?.makeup_note ?? '']);
      }
    }
  }

  const reports: Row[] = f.reports.map((r) => [
    time(r.at),
    names.get(r.member_id) ?? r.member_id,
    CATEGORY_LABELS[r.category],
    r.text,
    tagText(fiveTagsOf(r.tags)),
  ]);

  const held = f.meetings.filter((m) => meetingState(m, f.now, f.checkinCloses) === 'held');
  const coverage: Row[] = (Object.keys(TAG_LABELS) as FiveTag[]).map((tag) => {
    const ms = held.filter((m) => coverageTags(m).tags.includes(tag)).length;
    const rs = f.reports.filter((r) => fiveTagsOf(r.tags).includes(tag)).length;
    return [TAG_LABELS[tag], ms, rs, ms + rs];
  });

  return [
    { name: '会议', header: ['编号', '类型', '议题', '时间', '地点', '状态', '应到', '实到', '请假', '缺席', '五同'], rows: meetings },
    { name: '出勤', header: ['会议编号', '会议', '时间', '姓名', '出勤', '补学时间'], rows: attendance },
    { name: '请假与补学', header: ['会议编号', '会议', '时间', '姓名', '情况', '事由', '补学时间', '学习体会'], rows: leave },
    { name: '四服务汇报', header: ['时间', '姓名', '类别', '内容', '五同'], rows: reports },
    { name: '五同', header: ['五同', '会议（已召开）', '四服务汇报', '合计'], rows: coverage },
  ];
}

/** The org overview's header: the branch, held/due per type, 五同 activities per tag, reports. */
export const OVERVIEW_HEADER = [
  '支部',
  ...MEETING_TYPES.map((t) => `${MEETING_LABELS[t]}（已开/应开）`),
  ...Object.values(TAG_LABELS),
  '四服务汇报',
];

/**
 * One branch's row of the org overview for the machine party committee: held/due per type as of
 * `asOf` (a type the branch is not due shows —), the quarter's held meetings and reports per 五同
 * tag, its report count. Nothing in it ranks branches.
 */
export function overviewRow(
  branch: { name: string },
  meetings: (Parameters<typeof progress>[0][number] & Pick<Meeting, 'tags' | 'topic'>)[],
  members: Pick<Member, 'party_group'>[],
  reports: Pick<ServiceReport, 'tags'>[],
  quarter: { from: number; to: number; asOf: number; tz: string },
): Row {
  const due = new Set(typesDue(members));
  const counts = new Map(progress(meetings, 'quarter', quarter.asOf, quarter.tz).map((p) => [p.type, p]));
  const held = meetings.filter((m) => m.starts_at >= quarter.from && m.starts_at < quarter.to && isHeld(m, quarter.asOf));
  const tags = (Object.keys(TAG_LABELS) as FiveTag[]).map(
    (tag) => held.filter((m) => coverageTags(m).tags.includes(tag)).length + reports.filter((r) => fiveTagsOf(r.tags).includes(tag)).length,
  );
  const types = MEETING_TYPES.map((t) => (due.has(t) ? heldOfDue(counts.get(t)!) : '—'));
  return [branch.name, ...types, ...tags, reports.length];
}

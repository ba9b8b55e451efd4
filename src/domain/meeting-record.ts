import type { AttendanceTable, MeetingNoteTable, MeetingTable, MeetingType, MemberTable } from './records.ts';
import { type FiveTag, MEETING_LABELS, TAG_LABELS, storedTags } from './vocabulary.ts';
import { escapeMarkdown } from './markdown.ts';
import { type MeetingState, type MemberFacts, type Quorum, STATE_LABELS, meetingAttendance, meetingState, quorum } from './meetings.ts';
import { formatLocal, isoWithOffset, toLocal } from './time.ts';

// The meeting record (会议记录) as a pure function of what the chat already holds.

export type RecordMeeting = Pick<
  MeetingTable,
  | 'code'
  | 'type'
  | 'topic'
  | 'location'
  | 'party_group'
  | 'starts_at'
  | 'status'
  | 'status_note'
  | 'tags'
  | 'created_by'
  | 'host_id'
  | 'recorder_id'
  | 'backfilled'
  | 'created_at'
>;
export type RecordMember = MemberFacts;
export type RecordAttendance = Pick<AttendanceTable, 'member_id' | 'status' | 'note' | 'makeup_at'>;
export type RecordNote = Pick<MeetingNoteTable, 'id' | 'member_id' | 'text' | 'at'>;

export interface RecordFacts {
  meeting: RecordMeeting;
  /** The branch's members now: who was expected is derived from them (as 出勤 does). */
  members: RecordMember[];
  attendance: RecordAttendance[];
  /** The meeting's 纪要, in any order. */
  notes: RecordNote[];
  /** Names of note authors who are no longer in the branch. */
  others?: Pick<MemberTable, 'id' | 'name'>[];
  /** Shown as 支部 when given. */
  branchName?: string;
  tz: string;
  now: number;
  /** CHECKIN_CLOSES: a meeting nobody came to is not held once its check-in has closed. */
  checkinCloses: number;
}

export interface Person {
  id: string;
  name: string;
}

export interface MeetingRecord {
  code: string;
  type: MeetingType;
  typeLabel: string;
  topic: string | null;
  location: string | null;
  startsAt: string;
  status: MeetingState;
  /** Why it was not held, when the secretary called it off after its start. */
  statusNote: string | null;
  tags: string[];
  expected: Person[];
  present: Person[];
  leave: (Person & { reason: string | null })[];
  absent: Person[];
  /** Before the meeting is held or not held: those neither present nor on leave yet. */
  pending: Person[];
  makeup: (Person & { at: string })[];
  resolutions: { at: string; by: { id: string; name: string | null }; text: string }[];
  /** 主持人 and 记录人 as named by 纪要; else who scheduled the meeting and who added its first 纪要. */
  host: { id: string; name: string | null } | null;
  recorder: { id: string; name: string | null } | null;
  /** Entered afterwards with 补录 (held without the bot): by whom and when. */
  backfilled: { by: { id: string; name: string | null } | null; at: string } | null;
  quorum?: Quorum;
  markdown: string;
}

const TITLES: Record<MeetingType, string> = {
  assembly: '支部党员大会会议记录',
  committee: '支部委员会会议记录',
  group: '党小组会会议记录',
  lecture: '党课记录',
  theme_day: '主题党日活动记录',
  life: '组织生活会会议记录',
};

const person = (m: RecordMember): Person => ({ id: m.id, name: m.name });

/** `2026年12月5日（周六）14:30`: a record always shows the year. */
function fullTime(ms: number, tz: string): string {
  return `${toLocal(ms, tz).year}年${formatLocal(ms, tz)}`;
}

function shortDate(ms: number, tz: string): string {
  const l = toLocal(ms, tz);
  return `${l.year}年${l.month}月${l.day}日`;
}

/** `12月5日 15:30`. */
function dayTime(ms: number, tz: string): string {
  const l = toLocal(ms, tz);
  return `${l.month}月${l.day}日 ${String(l.hour).padStart(2, '0')}:${String(l.minute).padStart(2, '0')}`;
}

/** `2026年12月7日由李书记录入`: the mark of a meeting entered afterwards, as every record shows it. */
export function backfilledBy(by: { id: string; name: string | null } | null, at: number, tz: string): string {
  return `${shortDate(at, tz)}由${by ? (by.name ?? by.id) : '书记'}录入，会议召开时未使用机器人`;
}

const namesOf = (people: { name: string }[]) => (people.length ? people.map((p) => escapeMarkdown(p.name)).join('、') : '无');

/** The meeting record: JSON facts and a readable Chinese 会议记录 in markdown, all user text escaped. */
export function buildMeetingRecord(facts: RecordFacts): MeetingRecord {
  const { meeting, tz, now } = facts;
  const present = facts.attendance.filter((a) => a.status === 'present').length;
  const state = meetingState({ ...meeting, present, notes: facts.notes.length }, now, facts.checkinCloses);
  const held = state === 'held';
  const lists = meetingAttendance(meeting, facts.members, facts.attendance, now);
  const absent = held ? lists.absent : [];
  // Until it is held (or not), nobody is absent: those not in yet are 尚未签到.
  const pending = state === 'scheduled' ? [...lists.absent, ...lists.notYetIn] : [];
  const rows = new Map(facts.attendance.map((r) => [r.member_id, r]));
  const tags = storedTags(meeting.tags);

  const people = new Map<string, string>();
  for (const m of facts.others ?? []) people.set(m.id, m.name);
  for (const m of facts.members) people.set(m.id, m.name);

  const resolutions = [...facts.notes]
    .sort((a, b) => a.at - b.at || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
    .map((n) => ({
      at: isoWithOffset(Number(n.at), tz),
      by: { id: n.member_id, name: people.get(n.member_id) ?? null },
      text: n.text,
      ms: Number(n.at),
    }));
  const named = (id: string | null) => (id ? { id, name: people.get(id) ?? null } : null);
  const host = named(meeting.host_id ?? meeting.created_by);
  const recorder = meeting.recorder_id ? named(meeting.recorder_id) : (resolutions[0]?.by ?? null);
  const backfilled = meeting.backfilled === 1 ? { by: named(meeting.created_by), at: isoWithOffset(Number(meeting.created_at), tz) } : null;

  const makeup = lists.makeup.map((m) => ({
    ...person(m),
    at: isoWithOffset(Number(rows.get(m.id)!.makeup_at), tz),
    ms: Number(rows.get(m.id)!.makeup_at),
  }));
  const q = meeting.type === 'assembly' ? quorum(lists.expected, new Set(lists.present.map((m) => m.id))) : undefined;

  const lines: string[] = [`### ${TITLES[meeting.type]}`, ''];
  if (facts.branchName) lines.push(`- 支部：${escapeMarkdown(facts.branchName)}`);
  const group = meeting.type === 'group' && meeting.party_group ? `（${escapeMarkdown(meeting.party_group)}）` : '';
  lines.push(`- 会议类型：${MEETING_LABELS[meeting.type]}${group}`);
  lines.push(`- 时间：${fullTime(Number(meeting.starts_at), tz)}`);
  lines.push(`- 地点：${meeting.location ? escapeMarkdown(meeting.location) : '未填写'}`);
  const who = (p: { id: string; name: string | null } | null) => (p ? escapeMarkdown(p.name ?? p.id) : '未记录');
  lines.push(`- 主持人：${who(host)}`);
  lines.push(`- 记录人：${who(recorder)}`);
  lines.push(`- 议题：${meeting.topic ? escapeMarkdown(meeting.topic) : '未填写'}`);
  if (tags.length)
    lines.push(`- 五同：${tags.map((t) => escapeMarkdown(Object.hasOwn(TAG_LABELS, t) ? TAG_LABELS[t as FiveTag] : t)).join('、')}`);
  lines.push(`- 会议编号：${meeting.code}`);
  const reason = state === 'not_held' && meeting.status_note ? `（${escapeMarkdown(meeting.status_note)}）` : '';
  const called = state === 'not_held' || state === 'cancelled';
  lines.push(`- 状态：${called ? `**${STATE_LABELS[state]}**` : STATE_LABELS[state]}${reason}`);
  if (backfilled) lines.push(`- 补录：${backfilledBy(backfilled.by, Number(meeting.created_at), tz)}`);

  lines.push('', '**出席情况**', '');
  lines.push(`- 应到 ${lists.expected.length} 人：${namesOf(lists.expected)}`);
  lines.push(`- 实到 ${lists.present.length} 人：${namesOf(lists.present)}`);
  lines.push(`- 请假 ${lists.leave.length} 人：${namesOf(lists.leave.map((l) => l.member))}`);
  if (held) lines.push(`- 缺席 ${lists.absent.length} 人：${namesOf(lists.absent)}`);
  else if (state === 'scheduled') lines.push(`- 尚未签到 ${pending.length} 人：${namesOf(pending)}`);
  if (q && held) {
    lines.push(`- 正式党员应到 ${q.formal} 人，实到 ${q.presentFormal} 人，${q.reached ? '已过半数' : '未过半数'}（预备党员不计入）`);
  }

  if (lists.leave.length || absent.length || makeup.length) {
    lines.push('', '**缺席及请假事由**', '');
    for (const l of lists.leave)
      lines.push(`- ${escapeMarkdown(l.member.name)}（请假）：${l.reason ? escapeMarkdown(l.reason) : '未写事由'}`);
    for (const m of absent) lines.push(`- ${escapeMarkdown(m.name)}（缺席）：未请假`);
    if (makeup.length) lines.push(`- 已补学：${makeup.map((m) => `${escapeMarkdown(m.name)}（${shortDate(m.ms, tz)}）`).join('、')}`);
  }

  lines.push('', '**会议决定（纪要）**', '');
  if (resolutions.length) {
    resolutions.forEach((r, i) => {
      const by = escapeMarkdown(r.by.name ?? r.by.id);
      lines.push(`${i + 1}. ${escapeMarkdown(r.text)}（${by} 记录于 ${dayTime(r.ms, tz)}）`);
    });
  } else lines.push('无');

  return {
    code: meeting.code,
    type: meeting.type,
    typeLabel: MEETING_LABELS[meeting.type],
    topic: meeting.topic,
    location: meeting.location,
    startsAt: isoWithOffset(Number(meeting.starts_at), tz),
    status: state,
    statusNote: meeting.status_note,
    tags,
    expected: lists.expected.map(person),
    present: lists.present.map(person),
    leave: lists.leave.map((l) => ({ ...person(l.member), reason: l.reason })),
    absent: absent.map(person),
    pending: pending.map(person),
    makeup: makeup.map(({ ms: _, ...m }) => m),
    resolutions: resolutions.map(({ ms: _, ...r }) => r),
    host,
    recorder,
    backfilled,
    ...(q ? { quorum: q } : {}),
    markdown: lines.join('\n'),
  };
}

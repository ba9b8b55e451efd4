import type { AttendanceTable, MeetingNoteTable, Meeting, MeetingType, Member } from './records.ts';
import { MEETING_LABELS } from './vocabulary.ts';
import { type MeetingState, type MemberFacts, type Quorum, meetingAttendance, meetingState, quorum } from './meetings.ts';
import { isoWithOffset, toLocal } from './time.ts';

// The meeting record (会议记录) as a pure function of what the chat already holds: who was
// expected, came, was on leave or absent, the 纪要, 主持人 and 记录人. Its documents (markdown,
// .docx) are drawn from it in src/render/.

export type RecordMeeting = Pick<
  Meeting,
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
  others?: Pick<Member, 'id' | 'name'>[];
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

export interface RecordContent {
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
}

const person = (m: RecordMember): Person => ({ id: m.id, name: m.name });

/** `2026年12月5日`. */
export function shortDate(ms: number, tz: string): string {
  const l = toLocal(ms, tz);
  return `${l.year}年${l.month}月${l.day}日`;
}

/** `2026年12月7日由李书记录入`: the mark of a meeting entered afterwards, as every record shows it. */
export function backfilledBy(by: { id: string; name: string | null } | null, at: number, tz: string): string {
  return `${shortDate(at, tz)}由${by ? (by.name ?? by.id) : '书记'}录入，会议召开时未使用机器人`;
}

/** The meeting record's content: the JSON facts every document of it is drawn from. */
export function recordContent(facts: RecordFacts): RecordContent {
  const { meeting, tz, now } = facts;
  const present = facts.attendance.filter((a) => a.status === 'present').length;
  const state = meetingState({ ...meeting, present, notes: facts.notes.length }, now, facts.checkinCloses);
  const held = state === 'held';
  const lists = meetingAttendance(meeting, facts.members, facts.attendance, now);
  const absent = held ? lists.absent : [];
  // Until it is held (or not), nobody is absent: those not in yet are 尚未签到.
  const pending = state === 'scheduled' ? [...lists.absent, ...lists.notYetIn] : [];
  const rows = new Map(facts.attendance.map((r) => [r.member_id, r]));

  const people = new Map<string, string>();
  for (const m of facts.others ?? []) people.set(m.id, m.name);
  for (const m of facts.members) people.set(m.id, m.name);

  const resolutions = [...facts.notes]
    .sort((a, b) => a.at - b.at || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
    .map((n) => ({
      at: isoWithOffset(n.at, tz),
      by: { id: n.member_id, name: people.get(n.member_id) ?? null },
      text: n.text,
    }));
  const named = (id: string | null) => (id ? { id, name: people.get(id) ?? null } : null);
  const host = named(meeting.host_id ?? meeting.created_by);
  const recorder = meeting.recorder_id ? named(meeting.recorder_id) : (resolutions[0]?.by ?? null);
  const backfilled = meeting.backfilled ? { by: named(meeting.created_by), at: isoWithOffset(meeting.created_at, tz) } : null;

  const makeup = lists.makeup.map((m) => ({
    ...person(m),
    at: isoWithOffset(rows.get(m.id)!.makeup_at!, tz),
  }));
  const q = meeting.type === 'assembly' ? quorum(lists.expected, new Set(lists.present.map((m) => m.id))) : undefined;

  return {
    code: meeting.code,
    type: meeting.type,
    typeLabel: MEETING_LABELS[meeting.type],
    topic: meeting.topic,
    location: meeting.location,
    startsAt: isoWithOffset(meeting.starts_at, tz),
    status: state,
    statusNote: meeting.status_note,
    tags: meeting.tags,
    expected: lists.expected.map(person),
    present: lists.present.map(person),
    leave: lists.leave.map((l) => ({ ...person(l.member), reason: l.reason })),
    absent: absent.map(person),
    pending: pending.map(person),
    makeup,
    resolutions,
    host,
    recorder,
    backfilled,
    ...(q ? { quorum: q } : {}),
  };
}

import { escapeMarkdown } from '../domain/markdown.ts';
import { type RecordContent, type RecordFacts, backfilledBy, recordContent, shortDate } from '../domain/meeting-record.ts';
import { STATE_LABELS } from '../domain/meetings.ts';
import type { MeetingType } from '../domain/records.ts';
import { formatLocal, toLocal } from '../domain/time.ts';
import { type FiveTag, MEETING_LABELS, TAG_LABELS } from '../domain/vocabulary.ts';

// The 会议记录 as a readable Chinese markdown text, drawn from the record's content; all user text
// is escaped.

/** The record's content with its markdown: what the admin API returns and the chat shows. */
export interface MeetingRecord extends RecordContent {
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

/** `2026年12月5日（周六）14:30`: a record always shows the year. */
function fullTime(ms: number, tz: string): string {
  return `${toLocal(ms, tz).year}年${formatLocal(ms, tz)}`;
}

/** `12月5日 15:30`. */
function dayTime(ms: number, tz: string): string {
  const l = toLocal(ms, tz);
  return `${l.month}月${l.day}日 ${String(l.hour).padStart(2, '0')}:${String(l.minute).padStart(2, '0')}`;
}

const namesOf = (people: { name: string }[]) => (people.length ? people.map((p) => escapeMarkdown(p.name)).join('、') : '无');

/** The record as markdown; times the content holds as ISO text are read back to the instant they name. */
export function recordMarkdown(record: RecordContent, facts: Pick<RecordFacts, 'meeting' | 'branchName' | 'tz'>): string {
  const { meeting, tz } = facts;
  const state = record.status;
  const held = state === 'held';
  const lines: string[] = [`### ${TITLES[record.type]}`, ''];
  if (facts.branchName) lines.push(`- 支部：${escapeMarkdown(facts.branchName)}`);
  const group = record.type === 'group' && meeting.party_group ? `（${escapeMarkdown(meeting.party_group)}）` : '';
  lines.push(`- 会议类型：${MEETING_LABELS[record.type]}${group}`);
  lines.push(`- 时间：${fullTime(meeting.starts_at, tz)}`);
  lines.push(`- 地点：${record.location ? escapeMarkdown(record.location) : '未填写'}`);
  const who = (p: { id: string; name: string | null } | null) => (p ? escapeMarkdown(p.name ?? p.id) : '未记录');
  lines.push(`- 主持人：${who(record.host)}`);
  lines.push(`- 记录人：${who(record.recorder)}`);
  lines.push(`- 议题：${record.topic ? escapeMarkdown(record.topic) : '未填写'}`);
  if (record.tags.length)
    lines.push(`- 五同：${record.tags.map((t) => escapeMarkdown(Object.hasOwn(TAG_LABELS, t) ? TAG_LABELS[t as FiveTag] : t)).join('、')}`);
  lines.push(`- 会议编号：${record.code}`);
  const reason = state === 'not_held' && record.statusNote ? `（${escapeMarkdown(record.statusNote)}）` : '';
  const called = state === 'not_held' || state === 'cancelled';
  lines.push(`- 状态：${called ? `**${STATE_LABELS[state]}**` : STATE_LABELS[state]}${reason}`);
  if (record.backfilled) lines.push(`- 补录：${backfilledBy(record.backfilled.by, meeting.created_at, tz)}`);

  lines.push('', '**出席情况**', '');
  lines.push(`- 应到 ${record.expected.length} 人：${namesOf(record.expected)}`);
  lines.push(`- 实到 ${record.present.length} 人：${namesOf(record.present)}`);
  lines.push(`- 请假 ${record.leave.length} 人：${namesOf(record.leave)}`);
  if (held) lines.push(`- 缺席 ${record.absent.length} 人：${namesOf(record.absent)}`);
  else if (state === 'scheduled') lines.push(`- 尚未签到 ${record.pending.length} 人：${namesOf(record.pending)}`);
  const q = record.quorum;
  if (q && held) {
    lines.push(`- 正式党员应到 ${q.formal} 人，实到 ${q.presentFormal} 人，${q.reached ? '已过半数' : '未过半数'}（预备党员不计入）`);
  }

  if (record.leave.length || record.absent.length || record.makeup.length) {
    lines.push('', '**缺席及请假事由**', '');
    for (const l of record.leave) lines.push(`- ${escapeMarkdown(l.name)}（请假）：${l.reason ? escapeMarkdown(l.reason) : '未写事由'}`);
    for (const m of record.absent) lines.push(`- ${escapeMarkdown(m.name)}（缺席）：未请假`);
    if (record.makeup.length)
      lines.push(`- 已补学：${record.makeup.map((m) => `${escapeMarkdown(m.name)}（${shortDate(Date.parse(m.at), tz)}）`).join('、')}`);
  }

  lines.push('', '**会议决定（纪要）**', '');
  if (record.resolutions.length) {
    record.resolutions.forEach((r, i) => {
      const by = escapeMarkdown(r.by.name ?? r.by.id);
      lines.push(`${i + 1}. ${escapeMarkdown(r.text)}（${by} 记录于 ${dayTime(Date.parse(r.at), tz)}）`);
    });
  } else lines.push('无');
  return lines.join('\n');
}

/** The meeting record: its content as JSON facts and a readable Chinese 会议记录 in markdown. */
export function buildMeetingRecord(facts: RecordFacts): MeetingRecord {
  const content = recordContent(facts);
  return { ...content, markdown: recordMarkdown(content, facts) };
}

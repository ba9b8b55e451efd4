// The records the service keeps, as plain values: the domain's rules read them, db/schema.ts maps
// them onto tables (one interface per table, named for it).
// Times are epoch milliseconds (BIGINT); lists and objects are JSON in text columns; booleans 0/1.

export interface OrgTable {
  id: string;
  name: string;
  timezone: string;
  digest_cron: string | null;
  created_at: number;
  updated_at: number;
}

export type Platform = 'wecom-app' | 'wecom-bot' | 'dingtalk' | 'demo';

export interface ChannelTable {
  id: string;
  org_id: string;
  platform: Platform;
  /** JSON of the platform credentials (see channels.ts). */
  config: string;
  created_at: number;
  updated_at: number;
}

export interface BranchTable {
  org_id: string;
  id: string;
  name: string;
  created_at: number;
  updated_at: number;
}

export interface BranchChatTable {
  channel_id: string;
  chat_id: string;
  org_id: string;
  branch_id: string;
  /** WeCom group-robot key or DingTalk custom-robot access token, for pushes. */
  webhook: string | null;
  /** DingTalk custom-robot signing secret. */
  secret: string | null;
  created_at: number;
}

export type Role = 'secretary' | 'committee' | 'member';

/** The platforms a member is reached on in person: one account on each at most. */
export const ACCOUNT_PLATFORMS = ['dingtalk', 'wecom'] as const;
export type AccountPlatform = (typeof ACCOUNT_PLATFORMS)[number];
/** A member's user id on each platform she has an account on. */
export type MemberAccounts = { [P in AccountPlatform]?: string };

/** A member as the service reads her: db/members.ts builds it from her row and her accounts. */
export interface Member {
  org_id: string;
  id: string;
  branch_id: string;
  name: string;
  role: Role;
  party_group: string | null;
  probationary: boolean;
  mobile: string | null;
  accounts: MemberAccounts;
  /** `left` from `left_at` on: not expected at meetings that start later, still in earlier records. */
  status: MemberStatus;
  left_at: number | null;
  left_reason: string | null;
  /** 机关党委 staff (org-wide reads, 绑定 any branch). */
  org_admin: boolean;
  created_at: number;
  updated_at: number;
}

export type MemberStatus = 'active' | 'left';

/** A move to another branch: meetings before `at` keep the member in `from_branch`'s records. */
export interface MemberMoveTable {
  org_id: string;
  member_id: string;
  at: number;
  from_branch: string;
  to_branch: string;
}

export type MeetingType = 'assembly' | 'committee' | 'group' | 'lecture' | 'theme_day' | 'life';
/**
 * As stored: `cancelled` before its start, `not_held` when cancelled after it. A `scheduled` meeting
 * reads as held or not held from its attendance and 纪要 (meetingState in meetings.ts).
 */
export type MeetingStatus = 'scheduled' | 'not_held' | 'cancelled';

export interface MeetingTable {
  id: string;
  org_id: string;
  branch_id: string;
  code: string;
  type: MeetingType;
  topic: string | null;
  location: string | null;
  party_group: string | null;
  starts_at: number;
  status: MeetingStatus;
  /** Why it was not held, as the secretary wrote it when cancelling after the start. */
  status_note: string | null;
  /** JSON array of 五同 tags. */
  tags: string;
  created_by: string | null;
  /** 主持人 and 记录人 as the secretary named them (纪要 code 主持人 姓名); null: the defaults. */
  host_id: string | null;
  recorder_id: string | null;
  /** 1: entered afterwards with 补录 (by created_by, at created_at), held without the bot. */
  backfilled: number;
  created_at: number;
  updated_at: number;
}

/** Absent rows exist only once a member who missed a meeting makes it up (补学). */
export type AttendanceStatus = 'present' | 'leave' | 'absent';

export interface AttendanceTable {
  meeting_id: string;
  member_id: string;
  org_id: string;
  status: AttendanceStatus;
  /** Leave reason. */
  note: string | null;
  at: number;
  /** Platform message id of the check-in, leave or 登记. */
  source: string | null;
  /** 补学: the reflection and when it was written. */
  makeup_note: string | null;
  makeup_at: number | null;
  updated_at: number;
}

export interface MeetingNoteTable {
  id: string;
  meeting_id: string;
  org_id: string;
  member_id: string;
  text: string;
  at: number;
}

export type ServiceCategory = 'enterprise' | 'project' | 'grassroots' | 'public';

export interface ServiceReportTable {
  id: string;
  org_id: string;
  branch_id: string;
  member_id: string;
  category: ServiceCategory;
  text: string;
  /** JSON array of 五同 tags. */
  tags: string;
  at: number;
  source: string | null;
}

export interface InboundEventTable {
  channel_id: string;
  message_id: string;
  org_id: string;
  received_at: number;
  /** JSON of the reply given, so that a retried callback gets the same answer. */
  reply: string | null;
}

/** A link that works once until `expires_at`; `id` is the SHA-256 of its token, never the token. */
export interface OneTimeLinkTable {
  id: string;
  /** `login`: a console sign-in of `member_id` (`download` links, no longer made, may remain until purged). */
  purpose: 'download' | 'login';
  org_id: string;
  member_id: string | null;
  payload: string;
  created_at: number;
  expires_at: number;
  used_at: number | null;
}

/** A console session; `id` is the SHA-256 of its cookie's token. No member: signed in with ADMIN_TOKEN. */
export interface ConsoleSessionTable {
  id: string;
  org_id: string | null;
  member_id: string | null;
  /** The token every form of the session posts back. */
  csrf: string;
  created_at: number;
  expires_at: number;
  ended_at: number | null;
  /** The last request of the session: one idle longer than its limit has ended. */
  last_seen_at: number;
  /** IT's sessions: a digest of the ADMIN_TOKEN they were opened with; another token ends them. */
  it_token: string | null;
}

export interface DigestTable {
  org_id: string;
  branch_id: string;
  week: string;
  content: string;
  created_at: number;
  sent_at: number | null;
}

/** `sending`: claimed by a worker (retries keep it); `merged`: carried by the delivery `merged_into`. */
export type DeliveryState = 'queued' | 'sending' | 'sent' | 'merged' | 'failed';

export interface DeliveryTable {
  id: string;
  org_id: string;
  /** JSON of the Target (outbound.ts): where, never the credentials themselves. */
  target: string;
  /** Deliveries sharing a rate key go to one chat or member (and may be merged). */
  rate_key: string;
  /** JSON of the OutboundMessage. */
  body: string;
  state: DeliveryState;
  merged_into: string | null;
  attempts: number;
  last_error: string | null;
  created_at: number;
  updated_at: number;
  /** When its queue job was added; null while only the database holds it (the outbox). */
  relayed_at: number | null;
}

export type ReminderKind = 'remind' | 'start' | 'nudge';

/** `planned` until its job sends it (`sent`) or finds it too late (`dropped`); `cancelled` with its meeting. */
export type ReminderState = 'planned' | 'sent' | 'dropped' | 'cancelled';

/** One reminder of a meeting: the record the reminder queue is a copy of. */
export interface MeetingReminderTable {
  meeting_id: string;
  kind: ReminderKind;
  /** Before the start for `remind`, after it for `nudge`, 0 for `start` (ms). */
  offset_ms: number;
  org_id: string;
  /** The start it was planned for; a moved meeting replans. */
  starts_at: number;
  due_at: number;
  state: ReminderState;
  /** Why it was dropped. */
  reason: string | null;
  /** When its queue job was added; null while only the database holds it. */
  relayed_at: number | null;
  updated_at: number;
}

/** Small facts the service keeps about itself, such as the Redis epoch it last rebuilt. */
export interface ServiceStateTable {
  key: string;
  value: string;
  updated_at: number;
}

/** How many times an org's settings or members were written (db/roster-versions.ts). */
export interface RosterVersionTable {
  org_id: string;
  version: number;
}

export interface CalendarOverrideTable {
  date: string;
  kind: 'holiday' | 'workday';
  name: string | null;
  updated_at: number;
}

// The records the domain's rules read, as plain values; times are epoch milliseconds. One named for
// its table (`…Table`) is its row as stored; `Member`, `Meeting` and `ServiceReport` are not their
// rows (db/schema.ts): db/'s repositories decode their tags, flags and accounts where they read them
// and encode them where they write. Tables no rule reads have their rows in db/schema.ts only.

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

export interface Meeting {
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
  /** 五同 tags, as tagged. */
  tags: string[];
  created_by: string | null;
  /** 主持人 and 记录人 as the secretary named them (纪要 code 主持人 姓名); null: the defaults. */
  host_id: string | null;
  recorder_id: string | null;
  /** Entered afterwards with 补录 (by created_by, at created_at), held without the bot. */
  backfilled: boolean;
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

export interface ServiceReport {
  id: string;
  org_id: string;
  branch_id: string;
  member_id: string;
  category: ServiceCategory;
  text: string;
  /** 五同 tags, as tagged. */
  tags: string[];
  at: number;
  source: string | null;
}

export type ReminderKind = 'remind' | 'start' | 'nudge';

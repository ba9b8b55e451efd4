import type { Kysely, Transaction } from 'kysely';
import type { ChannelConfig } from '../src/domain/channels.ts';
import type {
  BranchChatTable,
  AccountPlatform,
  Member,
  MemberMoveTable,
  Meeting,
  AttendanceTable,
  MeetingNoteTable,
  ServiceReport,
  ReminderKind,
} from '../src/domain/records.ts';

// Repositories and tests name the records where the tables are.
export type {
  BranchChatTable,
  Role,
  AccountPlatform,
  MemberAccounts,
  Member,
  MemberMoveTable,
  MemberStatus,
  MeetingType,
  MeetingStatus,
  Meeting,
  AttendanceStatus,
  AttendanceTable,
  MeetingNoteTable,
  ServiceCategory,
  ServiceReport,
  ReminderKind,
} from '../src/domain/records.ts';

// Rows as stored: times are epoch milliseconds (BIGINT); lists and objects are JSON in text columns;
// booleans 0/1. A member, a meeting and a report differ from their domain types only in such columns; the
// tables no rule reads have a row type only, here.

/** A member's row: her accounts are rows of member_accounts, her flags 0/1 (db/members.ts reads her as a Member). */
export interface MemberRow extends Omit<Member, 'accounts' | 'probationary' | 'org_admin'> {
  probationary: number;
  /** 1: 机关党委 staff. */
  org_admin: number;
}

/** A member's user id on one platform: a platform user is one member of an org. */
export interface MemberAccountTable {
  org_id: string;
  member_id: string;
  platform: AccountPlatform;
  user_id: string;
}

/** A meeting as stored: its tags as a JSON array, 补录 as 1 (db/meetings.ts converts). */
export interface MeetingTable extends Omit<Meeting, 'tags' | 'backfilled'> {
  tags: string;
  backfilled: number;
}

/** A report as stored: its tags as a JSON array (db/reports.ts converts). */
export interface ServiceReportTable extends Omit<ServiceReport, 'tags'> {
  tags: string;
}

export interface OrgTable {
  id: string;
  name: string;
  timezone: string;
  digest_cron: string | null;
  created_at: number;
  updated_at: number;
}

/** The platform of a channel: one of the settings' kinds (src/domain/channels.ts). */
export type Platform = ChannelConfig['platform'];

export interface ChannelTable {
  id: string;
  org_id: string;
  platform: Platform;
  /** JSON of the platform credentials (src/domain/channels.ts). */
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

/** A platform department whose people are the branch's members (src/domain/directory.ts): one branch a department. */
export interface BranchDepartmentTable {
  channel_id: string;
  department_id: string;
  org_id: string;
  branch_id: string;
  /** 1: the departments under it as well. */
  include_sub: number;
  created_at: number;
}

/** An org's directory sync (db/directory-syncs.ts): the change events announced and served, what was last told. */
export interface DirectorySyncTable {
  org_id: string;
  /** Change events counted so far. */
  wanted: number;
  /** Of them, how many a finished sync had counted before it read the directory. */
  served: number;
  /** When the last change event came. */
  wanted_at: number | null;
  /** The end of the span the secretaries were last told about. */
  noticed_until: number | null;
  /** JSON: the org's local day the secretaries were last told, and per branch a fingerprint of what awaited an org admin then. */
  noticed: string | null;
  updated_at: number;
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
  /** JSON of the Target (src/domain/outbound.ts): where, never the credentials themselves. */
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
/** One entry of the trail of who did what (db/audit.ts): appended, never changed. */
export interface AuditLogTable {
  id: string;
  at: number;
  /** Null for what every org shares (the working-day calendar, IT's sign-in). */
  org_id: string | null;
  actor_kind: 'it' | 'member' | 'system';
  actor_id: string | null;
  actor_name: string | null;
  action: string;
  object: string | null;
  /** JSON, without secrets. */
  detail: string | null;
  address: string | null;
  result: 'ok' | 'refused';
}

/** A leave recorded by a card's button whose reason was asked for privately and has not come yet. */
export interface LeaveReasonRequestTable {
  org_id: string;
  member_id: string;
  meeting_id: string;
  asked_at: number;
}

export interface Database {
  orgs: OrgTable;
  channels: ChannelTable;
  branches: BranchTable;
  branch_chats: BranchChatTable;
  branch_departments: BranchDepartmentTable;
  directory_syncs: DirectorySyncTable;
  members: MemberRow;
  member_accounts: MemberAccountTable;
  member_moves: MemberMoveTable;
  meetings: MeetingTable;
  attendance: AttendanceTable;
  meeting_notes: MeetingNoteTable;
  service_reports: ServiceReportTable;
  inbound_events: InboundEventTable;
  one_time_links: OneTimeLinkTable;
  console_sessions: ConsoleSessionTable;
  digests: DigestTable;
  deliveries: DeliveryTable;
  calendar_overrides: CalendarOverrideTable;
  meeting_reminders: MeetingReminderTable;
  service_state: ServiceStateTable;
  roster_versions: RosterVersionTable;
  audit_log: AuditLogTable;
  leave_reason_requests: LeaveReasonRequestTable;
}

/** What repository functions take: the database or a transaction on it. */
export type Db = Kysely<Database> | Transaction<Database>;

import type { Kysely, Transaction } from 'kysely';
import type {
  OrgTable,
  ChannelTable,
  BranchTable,
  BranchChatTable,
  AccountPlatform,
  Member,
  MemberMoveTable,
  MeetingTable,
  AttendanceTable,
  MeetingNoteTable,
  ServiceReportTable,
  InboundEventTable,
  OneTimeLinkTable,
  ConsoleSessionTable,
  DigestTable,
  DeliveryTable,
  CalendarOverrideTable,
  MeetingReminderTable,
  ServiceStateTable,
  RosterVersionTable,
} from '../src/domain/records.ts';

// Repositories and tests name the records where the tables are.
export type {
  OrgTable,
  Platform,
  ChannelTable,
  BranchTable,
  BranchChatTable,
  Role,
  AccountPlatform,
  MemberAccounts,
  Member,
  MemberMoveTable,
  MemberStatus,
  MeetingType,
  MeetingStatus,
  MeetingTable,
  AttendanceStatus,
  AttendanceTable,
  MeetingNoteTable,
  ServiceCategory,
  ServiceReportTable,
  InboundEventTable,
  OneTimeLinkTable,
  ConsoleSessionTable,
  DigestTable,
  DeliveryState,
  DeliveryTable,
  CalendarOverrideTable,
  MeetingReminderTable,
  ReminderKind,
  ReminderState,
  ServiceStateTable,
  RosterVersionTable,
} from '../src/domain/records.ts';

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

/** One entry of the trail of who did what (db/audit.ts): appended, never changed. */
export interface AuditLogTable {
  id: string;
  at: number;
  /** Null for what every org shares (the working-day calendar, IT's sign-in). */
  org_id: string | null;
  actor_kind: 'it' | 'member';
  actor_id: string | null;
  actor_name: string | null;
  action: string;
  object: string | null;
  /** JSON, without secrets. */
  detail: string | null;
  address: string | null;
  result: 'ok' | 'refused';
}

export interface Database {
  orgs: OrgTable;
  channels: ChannelTable;
  branches: BranchTable;
  branch_chats: BranchChatTable;
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
}

/** What repository functions take: the database or a transaction on it. */
export type Db = Kysely<Database> | Transaction<Database>;

import type { Kysely, Transaction } from 'kysely';
import type {
  OrgTable,
  ChannelTable,
  BranchTable,
  BranchChatTable,
  MemberTable,
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
  MemberTable,
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
  members: MemberTable;
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

import { Hono, type Context } from 'hono';
import type { ServiceDeps } from './deps.ts';
import { asCode, storedTags } from '../domain/vocabulary.ts';
import { buildMeetingRecord } from '../domain/meeting-record.ts';
import { DOCX, recordDocx } from '../domain/record-docx.ts';
import { meetingAttendance, meetingState } from '../domain/meetings.ts';
import { isoWithOffset, parseInstant } from '../domain/time.ts';
import type { BranchTable, Db, MeetingTable, OrgTable } from '../../db/schema.ts';
import { listAttendance } from '../../db/attendance.ts';
import { getMeetingByCode, listBranchMeetings } from '../../db/meetings.ts';
import { listBranchRoster, listMembersByIds } from '../../db/members.ts';
import { listNotes } from '../../db/notes.ts';
import { Problem, badField, handle } from './http.ts';
import { orgBranch } from './path.ts';

const DAY = 86_400_000;
const DEFAULT_SPAN = 366 * DAY;

/** The branch's most recent meeting with the path's code (cancelled included); 404 when none. */
async function meetingOfPath(db: Db, c: Context, org: OrgTable, branch: BranchTable): Promise<MeetingTable> {
  const text = c.req.param('code') ?? '';
  const code = asCode(text);
  const meeting = code === undefined ? undefined : await getMeetingByCode(db, org.id, branch.id, code);
  if (!meeting) throw new Problem(404, `unknown meeting ${text}`);
  return meeting;
}

/** SPEC §7 meetings: the branch's list, one meeting's attendance, and its record (会议记录). */
export function meetingRoutes(deps: Pick<ServiceDeps, 'db' | 'clock' | 'config'>): Hono {
  const { db, clock } = deps;
  const checkinCloses = deps.config.CHECKIN_CLOSES;
  const app = new Hono();

  app.get(
    '/orgs/:org/branches/:branch/meetings',
    handle(async (c) => {
      const { org, branch } = await orgBranch(db, c);
      const now = clock.now();
      const instant = (name: 'from' | 'to', fallback: number) => {
        const text = c.req.query(name);
        if (text === undefined || text === '') return fallback;
        const ms = parseInstant(text, org.timezone);
        if (ms === null || !Number.isSafeInteger(ms)) throw badField(name, 'expects epoch milliseconds or an ISO 8601 time');
        return ms;
      };
      const from = instant('from', now - DEFAULT_SPAN);
      const to = instant('to', now + DEFAULT_SPAN);
      const meetings = await listBranchMeetings(db, org.id, branch.id, from, to);
      return c.json(
        meetings.map((m) => ({
          code: m.code,
          type: m.type,
          topic: m.topic,
          location: m.location,
          startsAt: isoWithOffset(Number(m.starts_at), org.timezone),
          status: meetingState(m, now, checkinCloses),
          ...(m.status_note ? { statusNote: m.status_note } : {}),
          tags: storedTags(m.tags),
        })),
      );
    }),
  );

  app.get(
    '/orgs/:org/branches/:branch/meetings/:code/attendance',
    handle(async (c) => {
      const { org, branch } = await orgBranch(db, c);
      const meeting = await meetingOfPath(db, c, org, branch);
      const [members, attendance] = await Promise.all([listBranchRoster(db, org.id, branch.id), listAttendance(db, meeting.id)]);
      const lists = meetingAttendance(meeting, members, attendance, clock.now());
      const ids = (ms: { id: string }[]) => ms.map((m) => m.id);
      return c.json({
        expected: ids(lists.expected),
        present: ids(lists.present),
        leave: ids(lists.leave.map((l) => l.member)),
        absent: ids(lists.absent),
        makeup: ids(lists.makeup),
      });
    }),
  );

  /** The 会议记录 of the path's meeting, with the names of note authors and of its host from other branches. */
  async function recordOfPath(c: Context) {
    const { org, branch } = await orgBranch(db, c);
    const meeting = await meetingOfPath(db, c, org, branch);
    const [members, attendance, notes] = await Promise.all([
      listBranchRoster(db, org.id, branch.id),
      listAttendance(db, meeting.id),
      listNotes(db, meeting.id),
    ]);
    const inBranch = new Set(members.map((m) => m.id));
    const named = [
      ...notes.map((n) => n.member_id),
      ...[meeting.created_by, meeting.host_id, meeting.recorder_id].filter((id) => id !== null),
    ];
    const others = await listMembersByIds(db, org.id, [...new Set(named.filter((id) => !inBranch.has(id)))]);
    const now = clock.now();
    const record = buildMeetingRecord({
      meeting,
      members,
      attendance,
      notes,
      others,
      branchName: branch.name,
      tz: org.timezone,
      now,
      checkinCloses,
    });
    return { record, org, branch, meeting };
  }

  app.get(
    '/orgs/:org/branches/:branch/meetings/:code/record',
    handle(async (c) => c.json((await recordOfPath(c)).record)),
  );

  app.get(
    '/orgs/:org/branches/:branch/meetings/:code/record.docx',
    handle(async (c) => {
      const { record, org, branch, meeting } = await recordOfPath(c);
      const file = await recordDocx(record, { branch: branch.name, startsAt: Number(meeting.starts_at), tz: org.timezone });
      const name = `${branch.name}${record.typeLabel}记录_${record.code}.docx`;
      return c.body(new Uint8Array(file), 200, {
        'content-type': DOCX,
        'content-disposition': `attachment; filename="${record.code}.docx"; filename*=UTF-8''${encodeURIComponent(name)}`,
      });
    }),
  );

  return app;
}

import { Hono, type Context } from 'hono';
import type { ServiceDeps } from './deps.ts';
import { asCode } from '../domain/vocabulary.ts';
import { meetingAttendance, meetingState } from '../domain/meetings.ts';
import { isoWithOffset } from '../domain/time.ts';
import type { BranchTable, Db, Meeting, OrgTable } from '../../db/schema.ts';
import { listAttendance } from '../../db/attendance.ts';
import { getMeetingByCode, listBranchMeetings } from '../../db/meetings.ts';
import { listBranchRoster } from '../../db/members.ts';
import { loadMeetingRecord, recordFile } from '../chat/files.ts';
import { apiActing, audit } from './acting.ts';
import { Problem, fileResponse, handle, instantField } from './http.ts';
import { orgBranch } from './path.ts';
import { DAY_MS } from '../core/duration.ts';

const DEFAULT_SPAN = 366 * DAY_MS;

/** The branch's most recent meeting with the path's code (cancelled included); 404 when none. */
async function meetingOfPath(db: Db, c: Context, org: OrgTable, branch: BranchTable): Promise<Meeting> {
  const text = c.req.param('code') ?? '';
  const code = asCode(text);
  const meeting = code === undefined ? undefined : await getMeetingByCode(db, org.id, branch.id, code);
  if (!meeting) throw new Problem(404, `unknown meeting ${text}`);
  return meeting;
}

/** Meetings: the branch's list, one meeting's attendance, and its record (会议记录). */
export function meetingRoutes(deps: Pick<ServiceDeps, 'db' | 'clock' | 'config'>): Hono {
  const { db, clock } = deps;
  const checkinCloses = deps.config.CHECKIN_CLOSES;
  const app = new Hono();

  app.get(
    '/orgs/:org/branches/:branch/meetings',
    handle(async (c) => {
      const { org, branch } = await orgBranch(db, c);
      const now = clock.now();
      const from = instantField('from', c.req.query('from'), org.timezone) ?? now - DEFAULT_SPAN;
      const to = instantField('to', c.req.query('to'), org.timezone) ?? now + DEFAULT_SPAN;
      const meetings = await listBranchMeetings(db, org.id, branch.id, from, to);
      return c.json(
        meetings.map((m) => ({
          code: m.code,
          type: m.type,
          topic: m.topic,
          location: m.location,
          startsAt: isoWithOffset(m.starts_at, org.timezone),
          status: meetingState(m, now, checkinCloses),
          ...(m.status_note ? { statusNote: m.status_note } : {}),
          ...(m.backfilled ? { backfilled: true } : {}),
          tags: m.tags,
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

  /** The 会议记录 of the path's meeting. */
  async function recordOfPath(c: Context) {
    const { org, branch } = await orgBranch(db, c);
    const meeting = await meetingOfPath(db, c, org, branch);
    return { org, branch, meeting, opts: { now: clock.now(), checkinCloses } };
  }

  app.get(
    '/orgs/:org/branches/:branch/meetings/:code/record',
    handle(async (c) => {
      const { org, branch, meeting, opts } = await recordOfPath(c);
      return c.json(await loadMeetingRecord(db, org, branch, meeting, opts));
    }),
  );

  app.get(
    '/orgs/:org/branches/:branch/meetings/:code/record.docx',
    handle(async (c) => {
      const { org, branch, meeting, opts } = await recordOfPath(c);
      const file = await recordFile(db, org, branch, meeting, opts);
      await audit(db, apiActing(c, deps.config), {
        at: clock.now(),
        orgId: org.id,
        action: 'file.download',
        object: `meeting:${meeting.code}`,
        detail: { file: file.name },
      });
      return fileResponse(c, file, `${meeting.code}.docx`);
    }),
  );

  return app;
}

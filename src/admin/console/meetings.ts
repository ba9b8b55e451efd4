import { type Context, Hono } from 'hono';
import { getMeetingByCode, listBranchMeetings } from '../../../db/meetings.ts';
import { ledgerFile, loadMeetingRecord, recordFile } from '../../chat/files.ts';
import { quarterKey, quarterOfKey } from '../../domain/time.ts';
import { asCode } from '../../domain/vocabulary.ts';
import type { ServiceDeps } from '../deps.ts';
import { audit } from '../acting.ts';
import { fileResponse } from '../http.ts';
import { branchFrame, branchOfPath, branchPath, notFound, onBranch } from './nav.ts';
import { type ConsoleEnv, actingOf } from './session.ts';
import { exportsModel, exportsView, meetingsModel, meetingsView, recordModel, recordView } from './views/meetings.ts';
import { DAY_MS } from '../../core/duration.ts';

// A branch's meetings, each 会议记录 as a page that prints on A4 for the binder, and the 台账 files
// (the same as the admin API's and 导出's) behind the console session.

type Deps = Pick<ServiceDeps, 'db' | 'clock' | 'config'>;

export function meetingPages(deps: Deps): Hono<ConsoleEnv> {
  const { db, clock } = deps;
  const checkinCloses = deps.config.CHECKIN_CLOSES;
  const app = new Hono<ConsoleEnv>();
  const base = '/orgs/:org/branches/:branch';

  /** The path's branch and its meeting of the path's code, when the viewer may see the branch. */
  async function meetingOfPath(c: Context<ConsoleEnv>) {
    const found = await branchOfPath(c, deps);
    const code = asCode(c.req.param('code') ?? '');
    const meeting = found && code ? await getMeetingByCode(db, found.org.id, found.branch.id, code) : undefined;
    return found && meeting ? { ...found, meeting } : null;
  }

  app.get(
    `${base}/meetings`,
    onBranch(deps, async (c, found) => {
      const { org, branch } = found;
      const now = clock.now();
      const meetings = (await listBranchMeetings(db, org.id, branch.id, now - 366 * DAY_MS, now + 366 * DAY_MS)).reverse();
      const frame = branchFrame(c.get('viewer'), found, 'meetings');
      return c.html(
        meetingsView(meetingsModel({ frame, path: branchPath(org.id, branch.id), meetings, now, tz: org.timezone, checkinCloses })),
      );
    }),
  );

  app.get(`${base}/meetings/:code`, async (c) => {
    const found = await meetingOfPath(c);
    if (!found) return notFound(c);
    const { org, branch, meeting } = found;
    const record = await loadMeetingRecord(db, org, branch, meeting, { now: clock.now(), checkinCloses });
    const model = recordModel({
      frame: branchFrame(c.get('viewer'), found, 'meetings'),
      record,
      startsAt: meeting.starts_at,
      tz: org.timezone,
      path: `${branchPath(org.id, branch.id)}/meetings/${meeting.code}`,
    });
    return c.html(recordView(model));
  });

  app.get(`${base}/meetings/:code/record.docx`, async (c) => {
    const found = await meetingOfPath(c);
    if (!found) return notFound(c);
    const { meeting } = found;
    const file = await recordFile(db, found.org, found.branch, meeting, { now: clock.now(), checkinCloses });
    await audit(db, actingOf(c, deps), {
      at: clock.now(),
      orgId: found.org.id,
      action: 'file.download',
      object: `meeting:${meeting.code}`,
      detail: { file: file.name },
    });
    return fileResponse(c, file, `${meeting.code}.docx`);
  });

  app.get(`${base}/ledger.xlsx`, async (c) => {
    const found = await branchOfPath(c, deps);
    const tz = found?.org.timezone ?? 'UTC';
    const quarter = quarterOfKey(c.req.query('quarter') || quarterKey(clock.now(), tz), tz);
    if (!found || !quarter) return notFound(c);
    const file = await ledgerFile(db, found.org, found.branch, quarter, { now: clock.now(), checkinCloses });
    await audit(db, actingOf(c, deps), {
      at: clock.now(),
      orgId: found.org.id,
      action: 'file.download',
      object: `branch:${found.branch.id}`,
      detail: { file: file.name },
    });
    return fileResponse(c, file, 'ledger.xlsx');
  });

  app.get(
    `${base}/exports`,
    onBranch(deps, async (c, found) => {
      const frame = branchFrame(c.get('viewer'), found, 'exports');
      const path = branchPath(found.org.id, found.branch.id);
      return c.html(exportsView(exportsModel({ frame, path, now: clock.now(), tz: found.org.timezone })));
    }),
  );

  return app;
}

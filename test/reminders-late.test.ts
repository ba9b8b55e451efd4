import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { putBranch } from '../db/branches.ts';
import { putChannel } from '../db/channels.ts';
import { insertMeeting } from '../db/meetings.ts';
import { putOrg } from '../db/orgs.ts';
import type { Meeting } from '../db/schema.ts';
import { reconcileReminders } from '../jobs/reminders.ts';
import { reminderTiming } from '../src/chat/context.ts';
import { reminderJobId } from '../src/domain/reminders.ts';
import { type TestApp, startTestApp } from './helpers/app.ts';
import { DIALECTS, meetingRow } from './helpers/db.ts';
import { planAndRelay } from './helpers/reminders.ts';

// Reminders that came due while no worker ran: the reconcile never deletes a due job;
// it gives a still-useful one its job again, and drops, logs and lists one past all use.

const HOUR = 3_600_000;

describe.each(DIALECTS)('late reminders on %s', (dialect) => {
  let t: TestApp;
  let meeting: Meeting;

  beforeAll(async () => {
    t = await startTestApp(dialect);
    const now = t.clock.now();
    await putOrg(t.db, { id: 'org1', name: '机关工委', timezone: 'Asia/Shanghai', digest_cron: null }, now);
    await putChannel(t.db, 'org1', 'dt1', { platform: 'dingtalk', appKey: 'k', appSecret: 's', robotCode: 'r' }, now);
    await putBranch(t.db, 'org1', 'b1', '第一党支部', [{ channel_id: 'dt1', chat_id: 'cid', webhook: 'tok', secret: null }], now);
    meeting = meetingRow({ code: 'LTE', starts_at: now + 48 * HOUR });
    await insertMeeting(t.db, meeting);
    // The defaults: reminders 24 h and 1 h before, the start notice, a nudge 15 min after; check-in closes 2 h after.
    await planAndRelay(t.db, t.queues, meeting, reminderTiming(t.config), now);
  });
  afterAll(() => t.close());

  const rows = async () =>
    (await t.db.selectFrom('meeting_reminders').selectAll().where('meeting_id', '=', meeting.id).orderBy('due_at').execute()).map((r) => [
      r.kind,
      r.state,
    ]);

  it('half an hour after the start: the reminders before it are dropped; the start notice and the nudge keep their jobs', async () => {
    const at = meeting.starts_at + HOUR / 2;
    await reconcileReminders({ db: t.db, logger: t.logger, timing: reminderTiming(t.config) }, t.queues.reminders, at);
    expect(await rows()).toEqual([
      ['remind', 'dropped'],
      ['remind', 'dropped'],
      ['start', 'planned'],
      ['nudge', 'planned'],
    ]);
    for (const [kind, offset] of [
      ['start', 0],
      ['nudge', 15 * 60_000],
    ] as const) {
      expect(await t.queues.reminders.getJob(reminderJobId(meeting.id, kind, offset, meeting.starts_at))).toBeDefined();
    }
    const health = (await (await t.admin('GET', '/admin/health')).json()) as { droppedReminders: { kind: string; reason: string }[] };
    expect(health.droppedReminders.map((d) => d.kind)).toEqual(['remind', 'remind']);
    expect(health.droppedReminders[0]!.reason).toContain('the meeting had started');
  });

  it('once check-in has closed, the start notice and the nudge are dropped too', async () => {
    await reconcileReminders(
      { db: t.db, logger: t.logger, timing: reminderTiming(t.config) },
      t.queues.reminders,
      meeting.starts_at + 3 * HOUR,
    );
    expect(await rows()).toEqual([
      ['remind', 'dropped'],
      ['remind', 'dropped'],
      ['start', 'dropped'],
      ['nudge', 'dropped'],
    ]);
  });
});

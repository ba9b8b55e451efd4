import { afterAll, beforeAll, beforeEach, expect } from 'vitest';
import { putAttendance } from '../../db/attendance.ts';
import { putBranch } from '../../db/branches.ts';
import { putChannel } from '../../db/channels.ts';
import { insertMeeting } from '../../db/meetings.ts';
import { type MemberInput, putMember } from '../../db/members.ts';
import { putOrg } from '../../db/orgs.ts';
import type { AttendanceStatus, Meeting, Role } from '../../db/schema.ts';
import { fromLocal } from '../../src/domain/time.ts';
import { type TestApp, startTestApp } from './app.ts';
import { dingtalkReply } from './chat.ts';
import { type TestDialect, countOf, countRows, meetingRow, memberRow } from './db.ts';
import { DT_SECRET } from './dingtalk.ts';

// One chat command at a time, through the real DingTalk webhook. Each case gets an org of its own
// (a channel, two branches each with a group chat, a roster: made afresh in a beforeEach) on the
// file's app, so no case sees what another wrote, and the clock is set back to the same Monday morning.

export const TZ = 'Asia/Shanghai';
/** A moment of 2026 in Beijing time. */
export const at = (month: number, day: number, hour: number, minute = 0) => fromLocal({ year: 2026, month, day, hour, minute }, TZ);
/** Where every case starts: Monday 7 December 2026, 09:00. */
export const MONDAY = at(12, 7, 9);

export const BRANCH = '第一党支部';
/** The second branch of each org, with a group chat of its own. */
export const OTHER_BRANCH = '第二党支部';

/** The roster of 第一党支部: DingTalk id = member id. */
export const ROSTER: readonly [id: string, name: string, role: Role][] = [
  ['sec', '李书记', 'secretary'],
  ['c1', '周委员', 'committee'],
  ['m1', '张一', 'member'],
  ['m2', '王二', 'member'],
  ['m3', '赵三', 'member'],
];
/** 第二党支部's secretary. */
export const OTHER_SECRETARY: readonly [id: string, name: string] = ['sec2', '孙书记'];

export interface SayOptions {
  direct?: boolean;
  chat?: string;
}

export interface CommandRig {
  readonly t: TestApp;
  /** This case's org, its channel, and the group chats of 第一党支部 and 第二党支部. */
  readonly org: string;
  readonly channel: string;
  readonly group: string;
  readonly otherGroup: string;
  /** `text` from member `who` in the branch's group chat (or privately, or in another chat); the reply's text. */
  say(who: string, text: string, opts?: SayOptions): Promise<string>;
  /** The same, with the reply's title. */
  reply(who: string, text: string, opts?: SayOptions): Promise<{ title: string; text: string }>;
  /** The same, for a refusal: the reply (title and text), after checking that nothing was stored. */
  refused(who: string, text: string, opts?: SayOptions): Promise<{ title: string; text: string }>;
  /** A meeting of 第一党支部 (a 党课 today at 15:00 unless `fields` say otherwise). */
  meeting(code: string, fields?: Partial<Meeting>): Promise<Meeting>;
  /** A member's present / leave / absent at a seeded meeting. */
  mark(meeting: Meeting, who: string, status: AttendanceStatus, note?: string | null): Promise<void>;
  /** Another member of the org (第一党支部 unless said). */
  member(id: string, name: string, fields?: Partial<MemberInput>): Promise<void>;
  /** Rows of the tables chat input writes: countRows's and those of bound chats, reminders, deliveries and the trail. */
  counts(): Promise<Record<string, number>>;
}

const MORE_TABLES = ['branch_chats', 'meeting_reminders', 'deliveries', 'audit_log'] as const;

let orgs = 0;

/** The app of a command's test file on `dialect`, and a fresh org for each case. */
export function commandRig(dialect: TestDialect, options: { env?: Record<string, string> } = {}): CommandRig {
  let app: TestApp | undefined;
  let org = '';
  beforeAll(async () => {
    app = await startTestApp(dialect, { now: MONDAY, ...options });
  });
  afterAll(() => app?.close());

  const rig: CommandRig = {
    get t() {
      return app!;
    },
    get org() {
      return org;
    },
    get channel() {
      return `dt-${org}`;
    },
    get group() {
      return `cid-${org}`;
    },
    get otherGroup() {
      return `cid2-${org}`;
    },
    reply: (who, text, opts = {}) => dingtalkReply(rig.t, rig.channel, who, text, { chat: opts.chat ?? rig.group, direct: opts.direct }),
    say: async (who, text, opts) => (await rig.reply(who, text, opts)).text,
    async refused(who, text, opts) {
      const before = await rig.counts();
      const reply = await rig.reply(who, text, opts);
      expect(await rig.counts()).toEqual(before);
      return reply;
    },
    async meeting(code, fields = {}) {
      const row = meetingRow({ org_id: org, code, starts_at: at(12, 7, 15), ...fields });
      await insertMeeting(rig.t.db, row);
      return row;
    },
    mark: (meeting, who, status, note = null) =>
      putAttendance(
        rig.t.db,
        { meeting_id: meeting.id, member_id: who, org_id: org, status, note, at: rig.t.clock.now(), source: null },
        rig.t.clock.now(),
      ),
    member: (id, name, fields = {}) =>
      putMember(rig.t.db, memberRow({ org_id: org, id, name, accounts: { dingtalk: id }, ...fields }), rig.t.clock.now()),
    async counts() {
      const counts = await countRows(rig.t.db);
      for (const table of MORE_TABLES) counts[table] = await countOf(rig.t.db, table);
      return counts;
    },
  };

  beforeEach(async () => {
    org = `org${process.pid}x${++orgs}`;
    const { db, clock } = rig.t;
    clock.set(MONDAY);
    const now = clock.now();
    await putOrg(db, { id: org, name: '机关工委', timezone: TZ, digest_cron: null }, now);
    await putChannel(db, org, rig.channel, { platform: 'dingtalk', appKey: 'k', appSecret: DT_SECRET, robotCode: 'r' }, now);
    const chat = (chat_id: string) => [{ channel_id: rig.channel, chat_id, webhook: null, secret: null }];
    await putBranch(db, org, 'b1', BRANCH, chat(rig.group), now);
    await putBranch(db, org, 'b2', OTHER_BRANCH, chat(rig.otherGroup), now);
    for (const [id, name, role] of ROSTER) await rig.member(id, name, { role });
    await rig.member(OTHER_SECRETARY[0], OTHER_SECRETARY[1], { role: 'secretary', branch_id: 'b2' });
  });
  return rig;
}

import { type Context, Hono } from 'hono';
import type { ServiceDeps } from './deps.ts';
import type { ChannelDirectory } from '../platforms/channel-directory.ts';
import { platformChannelSchema } from '../domain/channels.ts';
import { isoWithOffset, parseInstant } from '../domain/time.ts';
import { getBranch, putBranch } from '../../db/branches.ts';
import { getChannelOrg, putChannel } from '../../db/channels.ts';
import { getMember } from '../../db/members.ts';
import { getOrg, getOrgForUpdate, putOrg } from '../../db/orgs.ts';
import { listReports } from '../../db/reports.ts';
import { apiActing, audit } from './acting.ts';
import { auditRoutes } from './audit.ts';
import { adminAuth } from './auth.ts';
import { calendarRoutes } from './calendar.ts';
import { healthRoutes } from './health.ts';
import { digestRoutes } from './digests.ts';
import { Problem, badField, handle, idParam, instantField, readBytes, readJson } from './http.ts';
import { importMembers } from './members-import.ts';
import { markLeft, memberJson, readMember, saveMember } from './members.ts';
import { ledgerRoutes } from './ledger.ts';
import { meetingRoutes } from './meetings.ts';
import { openApiDocument } from './openapi.ts';
import { orgJson } from './org-json.ts';
import { orgOfPath } from './path.ts';
import { readRoutes } from './reads.ts';
import { branchSchema, directoryApplySchema, leaveSchema, memberSchema, orgSchema } from './schemas.ts';
import { applyDirectory, checkBranchDepartments, previewDirectory, saveBranchDepartments } from './directory.ts';

export type AdminDeps = ServiceDeps & { channels: ChannelDirectory };

const IMPORT_MAX_BYTES = 2 * 1024 * 1024;
/** An apply posts its preview back: a few hundred bytes a change, 20,000 new members within it. */
const APPLY_MAX_BYTES = 16 * 1024 * 1024;

const unknownOrg = (id: string) => new Problem(404, `unknown org ${id}`);

/**
 * The admin API (orgs, channels, branches, members, reports), mounted at /admin: its bearer is IT,
 * and every write goes to the trail in its own transaction.
 */
export function adminRoutes(deps: AdminDeps): Hono {
  const { db, clock } = deps;
  const app = new Hono();
  const acting = (c: Context) => apiActing(c, deps.config);
  app.use('*', adminAuth(deps));
  app.route('/', healthRoutes(deps));
  const openapi = openApiDocument();
  app.get('/openapi.json', (c) => c.json(openapi));

  app.put(
    '/orgs/:org',
    handle(async (c) => {
      const id = idParam(c, 'org');
      const body = await readJson(c, orgSchema);
      const timezone = body.timezone ?? deps.config.TZ_DEFAULT;
      const org = { id, name: body.name, timezone, digest_cron: body.digestCron?.trim() ?? null };
      const now = clock.now();
      await db.transaction().execute(async (trx) => {
        await putOrg(trx, org, now);
        await audit(trx, acting(c), {
          at: now,
          orgId: id,
          action: 'org.write',
          object: `org:${id}`,
          detail: { name: org.name, timezone, digestCron: org.digest_cron },
        });
      });
      return c.json(orgJson((await getOrg(db, id))!));
    }),
  );

  app.put(
    '/orgs/:org/channels/:channel',
    handle(async (c) => {
      const orgId = idParam(c, 'org');
      const id = idParam(c, 'channel');
      const config = await readJson(c, platformChannelSchema);
      await db.transaction().execute(async (trx) => {
        if (!(await getOrgForUpdate(trx, orgId))) throw unknownOrg(orgId);
        const owner = await getChannelOrg(trx, id);
        if (owner !== undefined && owner !== orgId) throw new Problem(409, `channel ${id} belongs to another org`, 'channel');
        const now = clock.now();
        await putChannel(trx, orgId, id, config, now);
        // Which platform and mode, never a credential.
        const detail = { platform: config.platform, ...('mode' in config && config.mode ? { mode: config.mode } : {}) };
        await audit(trx, acting(c), { at: now, orgId, action: 'channels.write', object: `channel:${id}`, detail });
      });
      deps.channels.invalidate(id);
      // Never echo credentials back.
      return c.json({ id, org: orgId, platform: config.platform });
    }),
  );

  app.put(
    '/orgs/:org/branches/:branch',
    handle(async (c) => {
      const orgId = idParam(c, 'org');
      const id = idParam(c, 'branch');
      const body = await readJson(c, branchSchema);
      const seen = new Set<string>();
      for (const [i, chat] of body.chats.entries()) {
        const key = JSON.stringify([chat.channel, chat.chatId]);
        if (seen.has(key)) throw badField(`chats.${i}.chatId`, 'is listed twice');
        seen.add(key);
      }
      if (body.departments.length > 0) {
        if (!(await getOrg(db, orgId))) throw unknownOrg(orgId);
        // Asked of the platform before anything is written: an unknown department changes nothing.
        await checkBranchDepartments(deps, orgId, body.departments);
      }
      await db.transaction().execute(async (trx) => {
        if (!(await getOrgForUpdate(trx, orgId))) throw unknownOrg(orgId);
        for (const [i, chat] of body.chats.entries()) {
          if ((await getChannelOrg(trx, chat.channel)) !== orgId)
            throw badField(`chats.${i}.channel`, `no channel ${chat.channel} in this org`);
        }
        const chats = body.chats.map((ch) => ({ channel_id: ch.channel, chat_id: ch.chatId, webhook: ch.webhook, secret: ch.secret }));
        const now = clock.now();
        await putBranch(trx, orgId, id, body.name, chats, now);
        await saveBranchDepartments(trx, orgId, id, body.departments, now);
        const bound = body.chats.map((ch) => ({ channel: ch.channel, chatId: ch.chatId, hasWebhook: ch.webhook !== null }));
        await audit(trx, acting(c), {
          at: now,
          orgId,
          action: 'branch.write',
          object: `branch:${id}`,
          detail: { name: body.name, chats: bound, departments: body.departments },
        });
      });
      return c.json({
        id,
        name: body.name,
        chats: body.chats.map((ch) => ({
          channel: ch.channel,
          chatId: ch.chatId,
          hasWebhook: ch.webhook !== null,
          hasSecret: ch.secret !== null,
        })),
        departments: body.departments,
      });
    }),
  );

  app.post(
    '/orgs/:org/directory/preview',
    handle(async (c) => c.json(await previewDirectory(deps, acting(c), idParam(c, 'org')))),
  );

  app.post(
    '/orgs/:org/directory/apply',
    handle(async (c) => {
      const orgId = idParam(c, 'org');
      const body = await readJson(c, directoryApplySchema, APPLY_MAX_BYTES);
      return c.json(await applyDirectory(deps, acting(c), orgId, body.preview, body.confirmEmpty));
    }),
  );

  app.put(
    '/orgs/:org/members/:member',
    handle(async (c) => {
      const orgId = idParam(c, 'org');
      const id = idParam(c, 'member');
      const body = await readJson(c, memberSchema);
      await saveMember(db, acting(c), orgId, id, body, clock.now());
      const org = (await getOrg(db, orgId))!;
      return c.json(memberJson(await readMember(db, orgId, id), org.timezone));
    }),
  );

  app.post(
    '/orgs/:org/members/:member/leave',
    handle(async (c) => {
      const org = await orgOfPath(db, c);
      const orgId = org.id;
      const id = idParam(c, 'member');
      const body = await readJson(c, leaveSchema);
      if (!(await getMember(db, orgId, id))) throw new Problem(404, `unknown member ${id}`);
      const now = clock.now();
      let at = now;
      if (body.at !== undefined) {
        const ms = typeof body.at === 'number' ? body.at : parseInstant(body.at, org.timezone);
        if (ms === null || !Number.isSafeInteger(ms)) throw badField('at', 'expects epoch milliseconds or an ISO 8601 time');
        at = ms;
      }
      await markLeft(db, acting(c), orgId, id, at, body.reason, now);
      return c.json(memberJson(await readMember(db, orgId, id), org.timezone));
    }),
  );

  app.post(
    '/orgs/:org/members/import',
    handle(async (c) => {
      const orgId = idParam(c, 'org');
      const csv = await readBytes(c, IMPORT_MAX_BYTES);
      return c.json(await importMembers(db, acting(c), orgId, csv, clock.now()));
    }),
  );

  app.get(
    '/orgs/:org/branches/:branch/reports',
    handle(async (c) => {
      const orgId = idParam(c, 'org');
      const branchId = idParam(c, 'branch');
      const org = await getOrg(db, orgId);
      if (!org) throw unknownOrg(orgId);
      if (!(await getBranch(db, orgId, branchId))) throw new Problem(404, `unknown branch ${branchId}`);
      const from = instantField('from', c.req.query('from'), org.timezone) ?? 0;
      const to = instantField('to', c.req.query('to'), org.timezone) ?? clock.now() + 1;
      const reports = await listReports(db, orgId, { branchId }, from, to);
      return c.json(
        reports.map((r) => ({
          member: r.member_id,
          category: r.category,
          text: r.text,
          tags: r.tags,
          at: isoWithOffset(r.at, org.timezone),
        })),
      );
    }),
  );

  app.route('/', readRoutes(deps));
  app.route('/', meetingRoutes(deps));
  app.route('/', ledgerRoutes(deps));
  app.route('/', calendarRoutes(deps));
  app.route('/', digestRoutes(deps));
  app.route('/', auditRoutes(deps));

  return app;
}

import { type Context, Hono } from 'hono';
import type { z } from 'zod';
import type { BranchChatTable, BranchTable } from '../../db/schema.ts';
import type { DepartmentMapping } from '../domain/directory.ts';
import { listDepartmentsOfBranches } from '../../db/branch-departments.ts';
import { getBranch, listBranchChats, listBranchesPage, listChatsOfBranches } from '../../db/branches.ts';
import { listChannelSummaries } from '../../db/channels.ts';
import { getMember, listMembersPage } from '../../db/members.ts';
import { listOrgsPage } from '../../db/orgs.ts';
import type { ServiceDeps } from './deps.ts';
import { Problem, check, handle, idParam } from './http.ts';
import { memberJson } from './members.ts';
import { orgJson } from './org-json.ts';
import { orgOfPath } from './path.ts';
import { memberFilterSchema, pageSchema } from './schemas.ts';

// Reads: what the admin API has written can be listed and read back. Credentials never
// leave: a channel shows its platform and bot name, a chat whether it has a robot key (hasWebhook).

/** One page of rows read with one extra, to know whether another page follows. */
function paged<T extends { id: string }, J>(rows: T[], limit: number, json: (row: T) => J) {
  const items = rows.slice(0, limit);
  return { items: items.map(json), next: rows.length > limit ? items.at(-1)!.id : null };
}

const chatJson = (chat: BranchChatTable) => ({
  channel: chat.channel_id,
  chatId: chat.chat_id,
  hasWebhook: chat.webhook !== null,
  hasSecret: chat.secret !== null,
});

const branchJson = (branch: BranchTable, chats: BranchChatTable[], departments: DepartmentMapping[]) => ({
  id: branch.id,
  name: branch.name,
  chats: chats.filter((chat) => chat.branch_id === branch.id).map(chatJson),
  departments: departments
    .filter((d) => d.branch === branch.id)
    .map((d) => ({ channel: d.channel, departmentId: d.departmentId, includeSub: d.includeSub })),
});

export function readRoutes(deps: Pick<ServiceDeps, 'db'>): Hono {
  const { db } = deps;
  const app = new Hono();
  const query = <S extends z.ZodType>(c: Context, schema: S) => check(schema, c.req.query());
  const orgOf = (c: Context) => orgOfPath(db, c);

  app.get(
    '/orgs',
    handle(async (c) => {
      const { limit, after } = query(c, pageSchema);
      return c.json(paged(await listOrgsPage(db, after ?? '', limit + 1), limit, orgJson));
    }),
  );

  app.get(
    '/orgs/:org',
    handle(async (c) => c.json(orgJson(await orgOf(c)))),
  );

  app.get(
    '/orgs/:org/channels',
    handle(async (c) => c.json(await listChannelSummaries(db, (await orgOf(c)).id))),
  );

  app.get(
    '/orgs/:org/branches',
    handle(async (c) => {
      const org = await orgOf(c);
      const { limit, after } = query(c, pageSchema);
      const rows = await listBranchesPage(db, org.id, after ?? '', limit + 1);
      const ids = rows.slice(0, limit).map((b) => b.id);
      const chats = await listChatsOfBranches(db, org.id, ids);
      const departments = await listDepartmentsOfBranches(db, org.id, ids);
      return c.json(paged(rows, limit, (b) => branchJson(b, chats, departments)));
    }),
  );

  app.get(
    '/orgs/:org/branches/:branch',
    handle(async (c) => {
      const org = await orgOf(c);
      const id = idParam(c, 'branch');
      const branch = await getBranch(db, org.id, id);
      if (!branch) throw new Problem(404, `unknown branch ${id}`);
      return c.json(branchJson(branch, await listBranchChats(db, org.id, id), await listDepartmentsOfBranches(db, org.id, [id])));
    }),
  );

  app.get(
    '/orgs/:org/members',
    handle(async (c) => {
      const org = await orgOf(c);
      const { limit, after, branch, status } = query(c, memberFilterSchema);
      const filter = { ...(branch === undefined ? {} : { branchId: branch }), ...(status === undefined ? {} : { status }) };
      const rows = await listMembersPage(db, org.id, filter, after ?? '', limit + 1);
      return c.json(paged(rows, limit, (m) => memberJson(m, org.timezone)));
    }),
  );

  app.get(
    '/orgs/:org/members/:member',
    handle(async (c) => {
      const org = await orgOf(c);
      const id = idParam(c, 'member');
      const member = await getMember(db, org.id, id);
      if (!member) throw new Problem(404, `unknown member ${id}`);
      return c.json(memberJson(member, org.timezone));
    }),
  );

  return app;
}

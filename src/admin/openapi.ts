import { auditQuerySchema } from './audit.ts';
import { z } from 'zod';
import { platformChannelSchema } from '../domain/channels.ts';
import {
  branchSchema,
  directoryApplySchema,
  leaveSchema,
  memberFilterSchema,
  memberSchema,
  orgSchema,
  overrideSchema,
  pageSchema,
  runSchema,
} from './schemas.ts';

// The OpenAPI document of the admin API (GET /admin/openapi.json). Bodies and paged queries are
// the zod schemas the routes validate with, turned into JSON Schema by zod itself; a test checks
// that every route of the app is listed here and nothing else, so the document cannot drift.

type Method = 'get' | 'put' | 'post';

/** A query parameter read by hand (not through a zod schema), with what it expects. */
type Params = Record<string, string>;

export interface Operation {
  method: Method;
  /** As the router writes it, relative to /admin: `/orgs/:org`. */
  path: string;
  summary: string;
  body?: z.ZodType | 'text/csv';
  query?: z.ZodObject | Params;
}

const INSTANT = 'epoch milliseconds or an ISO 8601 time';

export const OPERATIONS: Operation[] = [
  { method: 'get', path: '/health', summary: 'State of the database, Redis, queues and deliveries' },
  { method: 'get', path: '/openapi.json', summary: 'This document' },
  { method: 'get', path: '/orgs', summary: 'Orgs, in pages', query: pageSchema },
  { method: 'get', path: '/orgs/:org', summary: 'One org' },
  { method: 'put', path: '/orgs/:org', summary: 'Create or replace an org', body: orgSchema },
  { method: 'get', path: '/orgs/:org/channels', summary: "The org's channels: platform and bot name, never credentials" },
  {
    method: 'put',
    path: '/orgs/:org/channels/:channel',
    summary: 'Create or replace a channel (credentials are never echoed)',
    body: platformChannelSchema,
  },
  {
    method: 'get',
    path: '/orgs/:org/branches',
    summary: 'Branches with their chats (hasWebhook, never keys), in pages',
    query: pageSchema,
  },
  { method: 'get', path: '/orgs/:org/branches/:branch', summary: 'One branch with its chats' },
  {
    method: 'put',
    path: '/orgs/:org/branches/:branch',
    summary: 'Create or replace a branch, its bound chats and its platform departments (each checked with the platform)',
    body: branchSchema,
  },
  {
    method: 'post',
    path: '/orgs/:org/directory/preview',
    summary: "What following the platforms' directories would change in the roster: new, renamed, moved, gone, conflicts, hidden names",
  },
  {
    method: 'post',
    path: '/orgs/:org/directory/apply',
    summary: 'Apply a preview exactly, if the directory and the roster are unchanged since (409 otherwise); nothing is deleted',
    body: directoryApplySchema,
  },
  { method: 'get', path: '/orgs/:org/members', summary: 'Members, of one branch if given, in pages', query: memberFilterSchema },
  { method: 'get', path: '/orgs/:org/members/:member', summary: 'One member' },
  { method: 'put', path: '/orgs/:org/members/:member', summary: 'Create or replace a member', body: memberSchema },
  {
    method: 'post',
    path: '/orgs/:org/members/:member/leave',
    summary: 'A member leaves: later meetings do not expect them, records keep them',
    body: leaveSchema,
  },
  { method: 'post', path: '/orgs/:org/members/import', summary: 'Import members from CSV', body: 'text/csv' },
  {
    method: 'get',
    path: '/orgs/:org/audit',
    summary: 'The trail of who did what (with what every org shares), oldest first, in pages; never edited',
    query: auditQuerySchema,
  },
  {
    method: 'get',
    path: '/orgs/:org/branches/:branch/reports',
    summary: '四服务 reports of a branch',
    query: { from: INSTANT, to: INSTANT },
  },
  {
    method: 'get',
    path: '/orgs/:org/branches/:branch/meetings',
    summary: 'Meetings of a branch with their status',
    query: { from: INSTANT, to: INSTANT },
  },
  { method: 'get', path: '/orgs/:org/branches/:branch/meetings/:code/attendance', summary: "A meeting's attendance by member id" },
  { method: 'get', path: '/orgs/:org/branches/:branch/meetings/:code/record', summary: 'The 会议记录 of a meeting, as JSON and markdown' },
  {
    method: 'get',
    path: '/orgs/:org/branches/:branch/meetings/:code/record.docx',
    summary: 'The 会议记录 of a meeting as a Word document',
  },
  {
    method: 'get',
    path: '/orgs/:org/ledger.xlsx',
    summary: 'The org overview: a row a branch, held/due per type and 五同, sorted by name, ranking nothing',
    query: { quarter: 'a quarter such as 2026-Q4 (default: this quarter)' },
  },
  {
    method: 'get',
    path: '/orgs/:org/branches/:branch/ledger.xlsx',
    summary: "A branch's quarterly 三会一课台账 as an Excel workbook",
    query: { quarter: 'a quarter such as 2026-Q4 (default: this quarter)' },
  },
  {
    method: 'get',
    path: '/orgs/:org/branches/:branch/digest',
    summary: "A branch's 五同 digest of a week, pushing nothing",
    query: { week: 'an ISO week such as 2026-W48' },
  },
  { method: 'post', path: '/orgs/:org/digests/run', summary: "Run a week's digests now (each pushed at most once)", body: runSchema },
  {
    method: 'get',
    path: '/calendar',
    summary: "A year's working-day overrides and whether the year has data",
    query: { year: 'a year such as 2027' },
  },
  { method: 'put', path: '/calendar/:date', summary: 'Override the working-day calendar for one date', body: overrideSchema },
];

const jsonSchema = (schema: z.ZodType) => z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' });

function parameters(op: Operation) {
  const inPath = [...op.path.matchAll(/:(\w+)/g)].map((m) => ({ name: m[1]!, in: 'path', required: true, schema: { type: 'string' } }));
  if (!op.query) return inPath;
  const inQuery =
    op.query instanceof z.ZodObject
      ? Object.entries((jsonSchema(op.query) as { properties?: Record<string, object> }).properties ?? {}).map(([name, schema]) => ({
          name,
          in: 'query',
          schema,
        }))
      : Object.entries(op.query).map(([name, description]) => ({ name, in: 'query', description, schema: { type: 'string' } }));
  return [...inPath, ...inQuery];
}

function requestBody(body: Operation['body']) {
  if (!body) return undefined;
  if (body === 'text/csv') return { required: true, content: { 'text/csv': { schema: { type: 'string' } } } };
  return { required: true, content: { 'application/json': { schema: jsonSchema(body) } } };
}

const ERROR = {
  description: 'Problem',
  content: { 'application/json': { schema: { type: 'object', properties: { error: { type: 'string' }, field: { type: 'string' } } } } },
};

/** The document, built once from OPERATIONS. */
export function openApiDocument() {
  const paths: Record<string, Record<string, object>> = {};
  for (const op of OPERATIONS) {
    const path = `/admin${op.path.replace(/:(\w+)/g, '{$1}')}`;
    const body = requestBody(op.body);
    paths[path] ??= {};
    paths[path][op.method] = {
      summary: op.summary,
      parameters: parameters(op),
      ...(body ? { requestBody: body } : {}),
      responses: { 200: { description: 'OK' }, 400: ERROR, 401: { description: 'No or wrong bearer token' }, 404: ERROR },
    };
  }
  return {
    openapi: '3.1.0',
    info: { title: 'tongxin admin API', version: '1' },
    components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
    security: [{ bearer: [] }],
    paths,
  };
}

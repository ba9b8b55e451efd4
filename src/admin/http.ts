import type { Context } from 'hono';
import type { z } from 'zod';
import { BodyTimeout, BodyTooLarge, MAX_BODY_BYTES, readBodyBytes } from '../core/body.ts';
import { parseInstant } from '../domain/time.ts';

/** Ids of orgs, channels, branches and members, in paths and in bodies. */
export const ID = /^[A-Za-z0-9_.-]{1,64}$/;
export const ID_REASON = 'expects 1-64 letters, digits, _ . -';

type ProblemStatus = 400 | 403 | 404 | 408 | 409 | 413 | 502;

/** An answer other than success, thrown from deep inside a handler and rendered by `handle`. */
export class Problem extends Error {
  constructor(
    readonly status: ProblemStatus,
    message: string,
    readonly field?: string,
    /** The message without its field prefix. */
    readonly reason?: string,
  ) {
    super(message);
  }
}

/** 400 `{error: "<field>: <reason>", field}`: the shape every bad admin input gets. */
export const badField = (field: string, reason: string) => new Problem(400, `${field}: ${reason}`, field, reason);

/**
 * A query's time (`from`, `to`): epoch milliseconds or an ISO 8601 time, a local one read in `tz`.
 * Absent or empty is undefined; anything else unreadable, or beyond what a number holds exactly, is a 400.
 */
export function instantField(name: string, text: string | undefined, tz: string): number | undefined {
  if (text === undefined || text === '') return undefined;
  const ms = parseInstant(text, tz);
  if (ms === null || !Number.isSafeInteger(ms)) throw badField(name, 'expects epoch milliseconds or an ISO 8601 time');
  return ms;
}

export function handle(fn: (c: Context) => Promise<Response>) {
  return async (c: Context): Promise<Response> => {
    try {
      return await fn(c);
    } catch (err) {
      if (!(err instanceof Problem)) throw err;
      return c.json(err.field === undefined ? { error: err.message } : { error: err.message, field: err.field }, err.status);
    }
  };
}

export function idParam(c: Context, name: string): string {
  const value = c.req.param(name) ?? '';
  if (!ID.test(value)) throw badField(name, ID_REASON);
  return value;
}

export async function readText(c: Context, limit = MAX_BODY_BYTES): Promise<string> {
  return (await readBytes(c, limit)).toString('utf8');
}

export async function readBytes(c: Context, limit = MAX_BODY_BYTES): Promise<Buffer> {
  try {
    return await readBodyBytes(c.req.raw, limit);
  } catch (err) {
    if (err instanceof BodyTooLarge) throw new Problem(413, `body: over ${limit} bytes`, 'body');
    if (err instanceof BodyTimeout) throw new Problem(408, 'body: not received in time', 'body');
    throw err;
  }
}

/** The body (at most `limit` bytes) parsed as JSON and checked by `schema`; the first issue names the field. */
export async function readJson<S extends z.ZodType>(c: Context, schema: S, limit = MAX_BODY_BYTES): Promise<z.output<S>> {
  let value: unknown;
  try {
    value = JSON.parse(await readText(c, limit));
  } catch (err) {
    if (err instanceof Problem) throw err;
    throw badField('body', 'expects a JSON object');
  }
  return check(schema, value);
}

export function check<S extends z.ZodType>(schema: S, value: unknown): z.output<S> {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const { field, reason } = firstIssue(parsed.error);
  throw badField(field, reason);
}

export function firstIssue(error: z.ZodError): { field: string; reason: string } {
  const issue = error.issues[0]!;
  // Unknown keys are reported on the object; name the first key instead, it is what was mistyped.
  const path = issue.code === 'unrecognized_keys' ? [...issue.path, issue.keys[0]!] : issue.path;
  const field = path.length ? path.map(String).join('.') : 'body';
  const missing = issue.code === 'invalid_type' && /received undefined$/.test(issue.message);
  const reason = missing ? 'is required' : issue.code === 'unrecognized_keys' ? 'is not a known field' : issue.message;
  return { field, reason };
}

/** `text` percent-encoded for RFC 8187: encodeURIComponent leaves ' ( ) * !, which strict parsers refuse there. */
const extValue = (text: string) => encodeURIComponent(text).replace(/['()*!]/g, (ch) => `%${ch.charCodeAt(0).toString(16).toUpperCase()}`);

/**
 * `attachment` with the Chinese name for browsers (RFC 6266 `filename*`) and `fallback`, in ASCII,
 * for clients that read only `filename`.
 */
export const attachment = (name: string, fallback: string) => `attachment; filename="${fallback}"; filename*=UTF-8''${extValue(name)}`;

/** A built file as a download. */
export const fileResponse = (c: Context, file: { name: string; contentType: string; bytes: Buffer }, fallback: string) =>
  c.body(new Uint8Array(file.bytes), 200, { 'content-type': file.contentType, 'content-disposition': attachment(file.name, fallback) });

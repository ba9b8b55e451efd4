import type { Logger } from 'pino';
import type { DingtalkConfig } from '../../domain/channels.ts';
import type { ChannelOf, SendContext } from '../adapter.ts';
import { type AppApiOptions, type ErrcodeAnswer, type ErrcodeCall, type Outcome, callForErrcode, redact } from '../shared/api.ts';
import { type CallRate, type RateWindow, sharedRate } from '../shared/call-rate.ts';
import {
  type DirectoryDepartment,
  type DirectoryEntry,
  DirectoryError,
  type DirectoryReader,
  type NamedDepartment,
  directoryCall,
  objectOf,
} from '../shared/directory.ts';
import { SharedToken } from '../shared/token.ts';
import { fetchOapiToken } from './app-api.ts';
import { classifyOapiErrcode } from './errors.ts';

// DingTalk's directory through the older API (oapi.dingtalk.com), with its own token (`gettoken`,
// shared through Redis with the media uploads'): department/listsub gives a department's children,
// user/list the people of one department (not those under it), 100 a page after a cursor. The
// answer holds more than a name (a mobile number among it): only the user id, the name and the
// departments are read.

const LIST_SUB = '/topapi/v2/department/listsub';
const USER_LIST = '/topapi/v2/user/list';

/** DingTalk lists at most 100 people a page. */
export const DINGTALK_PAGE_SIZE = 100;

/** An app may call each API 20 times a second (the standard edition's limit; the others' are higher). */
export const DINGTALK_DIRECTORY_RATE: RateWindow[] = [{ limit: 20, windowMs: 1_000 }];
/** DingTalk's rate limit is a second's. */
const RATE_LIMITED_PAUSE_MS = 1_000;

const UNKNOWN_DEPARTMENT = 60003;
/** The refusals that a permission in the developer console fixes, with what to do. */
const PERMISSION: Record<number, string> = {
  60011: '请在钉钉开发者后台为应用开通通讯录读取权限（通讯录部门信息读权限、成员信息读权限）。',
  50004: '请在钉钉开发者后台把该部门加入应用的通讯录权限范围。',
};

/** The error a 200 answer names: errcode 88 wraps another, given as its sub_code. */
function errorCode(errcode: number, errmsg: string, subCode?: unknown): number {
  if (errcode !== 88) return errcode;
  const sub = Number(subCode ?? /subcode=(\d+)/i.exec(errmsg)?.[1]);
  return Number.isInteger(sub) && sub > 0 ? sub : errcode;
}

function classify(errcode: number, errmsg: string): Outcome {
  const code = errorCode(errcode, errmsg);
  if (code === UNKNOWN_DEPARTMENT || PERMISSION[code]) return { kind: 'permanent', reason: `DingTalk errcode ${code}: ${errmsg}`.trim() };
  return classifyOapiErrcode(code, errmsg);
}

export interface DingtalkDirectoryOptions extends AppApiOptions {
  config: Pick<DingtalkConfig, 'appKey' | 'appSecret'>;
  channelId: string;
  count(): Promise<void>;
  /** The pacing of an API's calls; this process's shared one of the app by default. */
  rate?: (path: string) => CallRate;
}

export class DingtalkDirectory implements DirectoryReader {
  private readonly token: SharedToken;
  private readonly log: Logger;

  /** `apiBase` is the older API's (DINGTALK_OAPI_BASE). */
  constructor(private readonly opts: DingtalkDirectoryOptions) {
    this.token = new SharedToken(opts.redis, `${opts.keyPrefix}:dingtalk-oapi-token:${opts.config.appKey}`, () =>
      fetchOapiToken(opts.apiBase, opts.config, this.log),
    );
    this.log = opts.logger.child({ channel: opts.channelId });
  }

  async departments(id: string, withSub: boolean): Promise<DirectoryDepartment[]> {
    const found: DirectoryDepartment[] = [{ id, parentId: null }];
    const seen = new Set([id]);
    // Asked of the department itself even without those under it: DingTalk says so if it has none of that id.
    const queue = [id];
    for (let parent = queue.shift(); parent !== undefined; parent = queue.shift()) {
      const children = (await this.children(parent)).map((c) => c.id);
      if (!withSub) break;
      for (const child of children.filter((c) => !seen.has(c))) {
        seen.add(child);
        found.push({ id: child, parentId: parent });
        queue.push(child);
      }
    }
    return found;
  }

  async people(departmentIds: readonly string[]): Promise<DirectoryEntry[]> {
    const people = new Map<string, DirectoryEntry>();
    for (const department of departmentIds) {
      let cursor = 0;
      for (;;) {
        const result = await this.post(USER_LIST, { dept_id: Number(department), cursor, size: DINGTALK_PAGE_SIZE }, department);
        const page = objectOf(result.result);
        for (const user of Array.isArray(page?.list) ? page.list : []) {
          const entry = objectOf(user);
          if (typeof entry?.userid !== 'string') continue;
          const departments = Array.isArray(entry.dept_id_list) ? entry.dept_id_list.map(String) : [department];
          const known = people.get(entry.userid);
          if (known) known.departmentIds = [...new Set([...known.departmentIds, ...departments])];
          else
            people.set(entry.userid, {
              userId: entry.userid,
              name: typeof entry.name === 'string' ? entry.name : null,
              departmentIds: departments,
            });
        }
        if (page?.has_more !== true) break;
        const next = Number(page.next_cursor);
        if (!Number.isSafeInteger(next))
          throw new DirectoryError('unavailable', 'DingTalk user/list said there was more but gave no cursor', null);
        cursor = next;
      }
    }
    return [...people.values()];
  }

  async children(department: string): Promise<NamedDepartment[]> {
    const answer = await this.post(LIST_SUB, { dept_id: Number(department) }, department);
    return (Array.isArray(answer.result) ? answer.result : []).flatMap((d) => {
      const row = objectOf(d);
      const id = row?.dept_id;
      if (typeof id !== 'number' && typeof id !== 'string') return [];
      return [{ id: String(id), name: typeof row?.name === 'string' && row.name ? row.name : null }];
    });
  }

  private async post(path: string, body: Record<string, unknown>, department: string): Promise<ErrcodeAnswer> {
    const rate = this.opts.rate?.(path) ?? sharedRate(`dingtalk:${this.opts.config.appKey}:${path}`, DINGTALK_DIRECTORY_RATE);
    const what = `DingTalk ${path}`;
    const call: ErrcodeCall = await directoryCall(
      { token: this.token, rate, count: () => this.opts.count(), log: this.log, rateLimitedPauseMs: RATE_LIMITED_PAUSE_MS },
      what,
      (token) =>
        callForErrcode(
          'DingTalk',
          this.url(path, { access_token: token }),
          { method: 'POST', json: JSON.stringify(body), contentType: 'application/json' },
          (code, msg) => classify(code, redact(msg, [token])),
        ),
    );
    if (call.outcome.kind === 'ok' && call.answer) return call.answer;
    const code = call.answer ? errorCode(call.answer.errcode ?? 0, String(call.answer.errmsg ?? ''), call.answer.sub_code) : null;
    const reason = call.outcome.kind === 'ok' ? `${what} answered without a body` : `${what}: ${call.outcome.reason}`;
    if (code === UNKNOWN_DEPARTMENT) throw new DirectoryError('unknown-department', reason, code, null, department);
    if (code !== null && PERMISSION[code]) throw new DirectoryError('permission', reason, code, PERMISSION[code], department);
    throw new DirectoryError('unavailable', reason, code);
  }

  private url(path: string, query: Record<string, string>): string {
    return `${this.opts.apiBase.replace(/\/+$/, '')}${path}?${new URLSearchParams(query)}`;
  }
}

/** The channel's directory reader, its calls counted against the org's DingTalk API budget. */
export const dingtalkDirectory = ({ deps, clients }: SendContext, channel: ChannelOf<DingtalkConfig>): DirectoryReader =>
  new DingtalkDirectory({
    ...clients.common(),
    apiBase: deps.config.DINGTALK_OAPI_BASE,
    config: channel.config,
    channelId: channel.id,
    count: () => clients.quota.count(channel, 'api'),
  });

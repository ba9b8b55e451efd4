import type { Logger } from 'pino';
import type { WecomAppConfig } from '../../domain/channels.ts';
import type { ChannelOf, SendContext } from '../adapter.ts';
import {
  type AppApiOptions,
  type ErrcodeAnswer,
  type ErrcodeCall,
  type Outcome,
  acceptToken,
  callForErrcode,
  redact,
} from '../shared/api.ts';
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
import { classifyErrcode } from './api.ts';

// WeCom's directory: department/simplelist gives a department and every one under it (ids only),
// user/list_id every member's user id and departments, 10,000 a page after a cursor, and user/get
// one member's name where the app may see it. WeCom lets user/list_id be called with the 通讯录同步
// secret only: a channel that carries it (`contactsSecret`) lists with it, one that does not tries
// the app's own. Names come through the app's own token, and newer apps get none (an empty name,
// or the user id in its place): the preview then keeps tongxin's.

const SIMPLE_LIST = '/cgi-bin/department/simplelist';
const LIST_ID = '/cgi-bin/user/list_id';
const USER_GET = '/cgi-bin/user/get';

/** WeCom lists at most 10,000 a page. */
export const WECOM_PAGE_SIZE = 10_000;
/** A corp may call each API 10,000 times a minute and 150,000 an hour. */
export const WECOM_DIRECTORY_RATE: RateWindow[] = [
  { limit: 10_000, windowMs: 60_000 },
  { limit: 150_000, windowMs: 3_600_000 },
];
/** Past a minute's limit WeCom refuses for 60 s. */
const RATE_LIMITED_PAUSE_MS = 60_000;
/** Names asked at once: user/get is one member a call. */
const NAMES_IN_FLIGHT = 8;

const UNKNOWN_DEPARTMENT = 60003;
/** 48002: the API is not the app's to call; 60011: the department or member is outside its visible range. */
const REFUSED = new Set([48002, 60011]);
/** user/get of someone the app may not see, or who has gone since she was listed: her name is not revealed. */
const NAME_HIDDEN = new Set([60011, 60111]);

const VISIBLE_RANGE = '请在企业微信管理后台把该部门加入应用的可见范围。';
const CONTACTS_SECRET = '企业微信只允许用“通讯录同步”的 Secret 读取成员列表：请在渠道设置中填写 contactsSecret（管理工具—通讯录同步）。';

function classify(errcode: number, errmsg: string): Outcome {
  if (errcode === UNKNOWN_DEPARTMENT || REFUSED.has(errcode) || NAME_HIDDEN.has(errcode))
    return { kind: 'permanent', reason: `WeCom errcode ${errcode}: ${errmsg}`.trim() };
  return classifyErrcode(errcode, errmsg);
}

export interface WecomDirectoryOptions extends AppApiOptions {
  config: Pick<WecomAppConfig, 'corpId' | 'agentId' | 'secret' | 'contactsSecret'>;
  channelId: string;
  count(): Promise<void>;
  /** The pacing of an API's calls; this process's shared one of the corp by default. */
  rate?: (path: string) => CallRate;
}

export class WecomDirectory implements DirectoryReader {
  /** The app's own token (shared through Redis with its message sends). */
  private readonly appToken: SharedToken;
  /** The token lists are read with: the 通讯录同步 secret's when the channel has one. */
  private readonly listToken: SharedToken;
  private readonly log: Logger;

  constructor(private readonly opts: WecomDirectoryOptions) {
    const { corpId, agentId, secret, contactsSecret } = opts.config;
    this.appToken = new SharedToken(opts.redis, `${opts.keyPrefix}:wecom-token:${corpId}:${agentId}`, () => this.fetchToken(secret));
    this.listToken = contactsSecret
      ? new SharedToken(opts.redis, `${opts.keyPrefix}:wecom-contacts-token:${corpId}`, () => this.fetchToken(contactsSecret))
      : this.appToken;
    this.log = opts.logger.child({ channel: opts.channelId, agentId });
  }

  async departments(id: string, withSub: boolean): Promise<DirectoryDepartment[]> {
    const all = await this.listUnder(id);
    return withSub ? all : all.filter((d) => d.id === id);
  }

  /** By id only: simplelist, which the 通讯录同步 token may read, names no department. */
  async children(id: string): Promise<NamedDepartment[]> {
    return (await this.listUnder(id)).filter((d) => d.parentId === id && d.id !== id).map((d) => ({ id: d.id, name: null }));
  }

  /** The department and every one under it. */
  private async listUnder(id: string): Promise<DirectoryDepartment[]> {
    const answer = await this.call(this.listToken, 'GET', SIMPLE_LIST, { id }, null, VISIBLE_RANGE, id);
    const all = (Array.isArray(answer.department_id) ? answer.department_id : []).flatMap((d) => {
      const row = objectOf(d);
      if (typeof row?.id !== 'number' && typeof row?.id !== 'string') return [];
      const parent = row.parentid;
      return [{ id: String(row.id), parentId: typeof parent === 'number' || typeof parent === 'string' ? String(parent) : null }];
    });
    if (!all.some((d) => d.id === id))
      throw new DirectoryError('unknown-department', `WeCom ${SIMPLE_LIST} did not list department ${id}`, null, null, id);
    return all;
  }

  async people(departmentIds: readonly string[]): Promise<DirectoryEntry[]> {
    const wanted = new Set(departmentIds);
    const departmentsOf = new Map<string, string[]>();
    let cursor = '';
    do {
      const body = { ...(cursor ? { cursor } : {}), limit: WECOM_PAGE_SIZE };
      const answer = await this.call(
        this.listToken,
        'POST',
        LIST_ID,
        {},
        body,
        this.opts.config.contactsSecret ? VISIBLE_RANGE : CONTACTS_SECRET,
        null,
      );
      for (const row of Array.isArray(answer.dept_user) ? answer.dept_user : []) {
        const entry = objectOf(row);
        if (typeof entry?.userid !== 'string' || entry.department === undefined) continue;
        const departments = departmentsOf.get(entry.userid) ?? [];
        departments.push(String(entry.department));
        departmentsOf.set(entry.userid, departments);
      }
      cursor = typeof answer.next_cursor === 'string' ? answer.next_cursor : '';
    } while (cursor);
    const listed = [...departmentsOf].filter(([, departments]) => departments.some((d) => wanted.has(d)));
    const people: DirectoryEntry[] = [];
    for (let i = 0; i < listed.length; i += NAMES_IN_FLIGHT) {
      const batch = listed.slice(i, i + NAMES_IN_FLIGHT);
      const names = await Promise.all(batch.map(([userId]) => this.name(userId)));
      batch.forEach(([userId, departments], j) => {
        people.push({ userId, name: names[j]!, departmentIds: [...new Set(departments)] });
      });
    }
    return people;
  }

  /** The member's name as the app may read it; null where WeCom does not reveal it. */
  private async name(userId: string): Promise<string | null> {
    try {
      const answer = await this.call(this.appToken, 'GET', USER_GET, { userid: userId }, null, null, null);
      return typeof answer.name === 'string' ? answer.name : null;
    } catch (err) {
      if (err instanceof DirectoryError && err.code !== null && NAME_HIDDEN.has(err.code)) return null;
      throw err;
    }
  }

  private async call(
    token: SharedToken,
    method: 'GET' | 'POST',
    path: string,
    query: Record<string, string>,
    body: Record<string, unknown> | null,
    refusedHint: string | null,
    department: string | null,
  ): Promise<ErrcodeAnswer> {
    const rate = this.opts.rate?.(path) ?? sharedRate(`wecom:${this.opts.config.corpId}:${path}`, WECOM_DIRECTORY_RATE);
    const what = `WeCom ${path}`;
    const init = method === 'GET' ? { method } : { method, json: JSON.stringify(body), contentType: 'application/json' };
    const call: ErrcodeCall = await directoryCall(
      { token, rate, count: () => this.opts.count(), log: this.log, rateLimitedPauseMs: RATE_LIMITED_PAUSE_MS },
      what,
      (accessToken) =>
        callForErrcode('WeCom', this.url(path, { ...query, access_token: accessToken }), init, (code, msg) =>
          classify(code, redact(msg, [accessToken])),
        ),
    );
    if (call.outcome.kind === 'ok' && call.answer) return call.answer;
    const code = call.answer?.errcode ?? null;
    const reason = `${what}: ${call.outcome.kind === 'ok' ? 'answered without a body' : call.outcome.reason}`;
    if (code === UNKNOWN_DEPARTMENT) throw new DirectoryError('unknown-department', reason, code, null, department);
    if (code !== null && (REFUSED.has(code) || NAME_HIDDEN.has(code)))
      throw new DirectoryError('permission', reason, code, refusedHint, department);
    throw new DirectoryError('unavailable', reason, code);
  }

  private url(path: string, query: Record<string, string>): string {
    return `${this.opts.apiBase.replace(/\/+$/, '')}${path}?${new URLSearchParams(query)}`;
  }

  private async fetchToken(secret: string): Promise<{ token: string; expiresInS: number }> {
    const { corpId } = this.opts.config;
    const call = await callForErrcode(
      'WeCom',
      this.url('/cgi-bin/gettoken', { corpid: corpId, corpsecret: secret }),
      { method: 'GET' },
      (code, msg) => classifyErrcode(code, redact(msg, [secret])),
    );
    return acceptToken(
      this.log,
      'WeCom gettoken',
      { outcome: call.outcome, errcode: call.answer?.errcode },
      call.answer?.access_token,
      call.answer?.expires_in,
    );
  }
}

/** The channel's directory reader, its calls counted in the org's WeCom meter. */
export const wecomDirectory = ({ deps, clients }: SendContext, channel: ChannelOf<WecomAppConfig>): DirectoryReader =>
  new WecomDirectory({
    ...clients.common(),
    apiBase: deps.config.WECOM_API_BASE,
    config: channel.config,
    channelId: channel.id,
    count: () => clients.quota.count(channel, 'api'),
  });

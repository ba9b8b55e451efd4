import type { FakeAnswer, FakePlatform, RecordedRequest } from './fake-platform.ts';

// A platform's directory (通讯录) served by the fake platform as the official documents describe it.
// DingTalk (oapi.dingtalk.com): gettoken; POST topapi/v2/department/listsub {dept_id} → the
// department's children; POST topapi/v2/user/list {dept_id, cursor, size ≤ 100} → the department's
// own people, `has_more` and `next_cursor`. WeCom (qyapi.weixin.qq.com): gettoken per secret; GET
// department/simplelist?id → the department and every one under it; POST user/list_id {cursor,
// limit ≤ 10000} → a row per member and department, `next_cursor` ('' at the end), for the 通讯录同步
// secret's token only; GET user/get?userid → the name, the user id in its place where hidden. The
// directory is read at each request, so that a test can change it between reads; tokens issued can be
// expired at once (`expireTokens`), and `interrupt` answers a request before the directory does.

export interface FakeDepartment {
  id: string;
  parentId: string | null;
}

export interface FakePerson {
  userId: string;
  name: string;
  departments: string[];
  /** WeCom: the app may not read her name (user/get gives the user id instead). */
  nameHidden?: boolean;
  /** Given in DingTalk's answers as the platform does; the service must never keep it. */
  mobile?: string;
}

export interface FakeDirectory {
  departments: FakeDepartment[];
  people: FakePerson[];
}

export interface ServedDirectory {
  /** Makes every token issued so far expired: the next call with one is refused with 42001. */
  expireTokens(): void;
  /** The requests that read the directory (not gettoken). */
  calls(): RecordedRequest[];
}

export interface ServeOptions {
  /** Answers a request first when it returns an answer (a failure, a refusal). */
  interrupt?: (req: RecordedRequest) => FakeAnswer | undefined;
}

/** Tokens the fake issued and still takes. */
function tokenBook(prefix: string) {
  let issued = 0;
  const valid = new Set<string>();
  return {
    issue(tag = '') {
      const token = `${prefix}${tag}-${++issued}`;
      valid.add(token);
      return token;
    },
    valid: (token: string | undefined) => token !== undefined && valid.has(token),
    expire: () => valid.clear(),
  };
}

const DINGTALK_PATHS = ['/topapi/v2/department/listsub', '/topapi/v2/user/list'];
const WECOM_PATHS = ['/cgi-bin/department/simplelist', '/cgi-bin/user/list_id', '/cgi-bin/user/get'];

export function serveDingtalkDirectory(fake: FakePlatform, directory: FakeDirectory, options: ServeOptions = {}): ServedDirectory {
  const tokens = tokenBook('ding-dir-token');
  fake.on('GET', '/gettoken', () => ({ json: { errcode: 0, errmsg: 'ok', access_token: tokens.issue(), expires_in: 7200 } }));
  const guarded = (answer: (req: RecordedRequest, body: Record<string, unknown>) => FakeAnswer) => (req: RecordedRequest) => {
    const early = options.interrupt?.(req);
    if (early) return early;
    if (!tokens.valid(req.query.access_token)) return { json: { errcode: 42001, errmsg: '不合法的access_token' } };
    const body = (req.body ?? {}) as Record<string, unknown>;
    const id = String(body.dept_id);
    if (!directory.departments.some((d) => d.id === id)) return { json: { errcode: 60003, errmsg: '部门不存在' } };
    return answer(req, body);
  };
  fake.on(
    'POST',
    '/topapi/v2/department/listsub',
    guarded((_req, body) => ({
      json: {
        errcode: 0,
        errmsg: 'ok',
        result: directory.departments
          .filter((d) => d.parentId === String(body.dept_id))
          .map((d) => ({
            dept_id: Number(d.id),
            name: `部门${d.id}`,
            parent_id: Number(d.parentId),
            create_dept_group: false,
            auto_add_user: false,
          })),
        request_id: 'req',
      },
    })),
  );
  fake.on(
    'POST',
    '/topapi/v2/user/list',
    guarded((_req, body) => {
      const size = Number(body.size);
      const cursor = Number(body.cursor ?? 0);
      if (!Number.isInteger(size) || size < 1 || size > 100) return { json: { errcode: 40035, errmsg: '不合法的参数: size' } };
      const own = directory.people.filter((p) => p.departments.includes(String(body.dept_id)));
      const page = own.slice(cursor, cursor + size);
      const more = cursor + size < own.length;
      return {
        json: {
          errcode: 0,
          errmsg: 'ok',
          result: {
            has_more: more,
            ...(more ? { next_cursor: cursor + size } : {}),
            list: page.map((p) => ({
              userid: p.userId,
              unionid: `union-${p.userId}`,
              name: p.name,
              dept_id_list: p.departments.map(Number),
              ...(p.mobile ? { mobile: p.mobile, state_code: '86' } : {}),
              active: true,
            })),
          },
          request_id: 'req',
        },
      };
    }),
  );
  return { expireTokens: tokens.expire, calls: () => fake.requests.filter((r) => DINGTALK_PATHS.includes(r.path)) };
}

/** WeCom's cursor: opaque to the client; here the offset, encoded. */
const cursorOf = (offset: number) => Buffer.from(`offset:${offset}`).toString('base64url');
const offsetOf = (cursor: unknown) =>
  typeof cursor === 'string' && cursor ? Number(Buffer.from(cursor, 'base64url').toString().slice(7)) : 0;

export function serveWecomDirectory(
  fake: FakePlatform,
  directory: FakeDirectory,
  options: ServeOptions & { appSecret: string; contactsSecret?: string },
): ServedDirectory {
  const tokens = tokenBook('wecom-dir-token');
  const contacts = new Set<string>();
  fake.on('GET', '/cgi-bin/gettoken', (req) => {
    const secret = req.query.corpsecret;
    if (secret !== options.appSecret && secret !== options.contactsSecret)
      return { json: { errcode: 40001, errmsg: 'invalid credential' } };
    const token = tokens.issue(secret === options.contactsSecret ? '-contacts' : '-app');
    if (secret === options.contactsSecret) contacts.add(token);
    return { json: { errcode: 0, errmsg: 'ok', access_token: token, expires_in: 7200 } };
  });
  const guarded = (answer: (req: RecordedRequest) => FakeAnswer) => (req: RecordedRequest) => {
    const early = options.interrupt?.(req);
    if (early) return early;
    if (!tokens.valid(req.query.access_token)) return { json: { errcode: 42001, errmsg: 'access_token expired' } };
    return answer(req);
  };
  const under = (id: string): FakeDepartment[] => {
    const children = directory.departments.filter((d) => d.parentId === id);
    return [...children, ...children.flatMap((c) => under(c.id))];
  };
  fake.on(
    'GET',
    '/cgi-bin/department/simplelist',
    guarded((req) => {
      const own = directory.departments.find((d) => d.id === req.query.id);
      if (!own) return { json: { errcode: 60003, errmsg: 'department not found' } };
      const listed = [own, ...under(own.id)];
      return {
        json: {
          errcode: 0,
          errmsg: 'ok',
          department_id: listed.map((d, i) => ({
            id: Number(d.id),
            parentid: d.parentId === null ? 0 : Number(d.parentId),
            order: 100 - i,
          })),
        },
      };
    }),
  );
  fake.on(
    'POST',
    '/cgi-bin/user/list_id',
    guarded((req) => {
      if (!contacts.has(req.query.access_token!)) return { json: { errcode: 48002, errmsg: 'api forbidden' } };
      const body = (req.body ?? {}) as Record<string, unknown>;
      const limit = Number(body.limit);
      if (!Number.isInteger(limit) || limit < 1 || limit > 10_000) return { json: { errcode: 40058, errmsg: 'invalid limit' } };
      const rows = directory.people.flatMap((p) => p.departments.map((d) => ({ userid: p.userId, department: Number(d) })));
      const offset = offsetOf(body.cursor);
      const more = offset + limit < rows.length;
      return {
        json: {
          errcode: 0,
          errmsg: 'ok',
          next_cursor: more ? cursorOf(offset + limit) : '',
          dept_user: rows.slice(offset, offset + limit),
        },
      };
    }),
  );
  fake.on(
    'GET',
    '/cgi-bin/user/get',
    guarded((req) => {
      const person = directory.people.find((p) => p.userId === req.query.userid);
      if (!person) return { json: { errcode: 60111, errmsg: 'userid not found' } };
      return {
        json: {
          errcode: 0,
          errmsg: 'ok',
          userid: person.userId,
          name: person.nameHidden ? person.userId : person.name,
          department: person.departments.map(Number),
          main_department: Number(person.departments[0]),
          status: 1,
        },
      };
    }),
  );
  return { expireTokens: tokens.expire, calls: () => fake.requests.filter((r) => WECOM_PATHS.includes(r.path)) };
}

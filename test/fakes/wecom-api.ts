/**
 * A loopback fake of WeCom's customer-service API (微信客服): `GET /cgi-bin/gettoken`,
 * `POST /cgi-bin/kf/sync_msg` over a message store with cursors, `POST /cgi-bin/kf/send_msg`
 * recording what was sent. Answers are WeCom's: HTTP 200 and `{ errcode, errmsg, … }` always.
 * What the desk sends comes back through sync_msg with origin 5, as WeCom does.
 */
import { asRecord, startHttpFake, type FakeRequest, type FakeResponse } from './http-fake.ts';

export interface WecomFakeOptions {
  corpId?: string;
  secret?: string;
  /** The most a sync_msg page holds, below the asked `limit` (to make has_more pages). */
  pageSize?: number;
}

export interface WecomStoredMessage {
  msgid: string;
  open_kfid: string;
  external_userid: string;
  send_time: number;
  origin: number;
  msgtype: string;
  [field: string]: unknown;
}

export interface WecomSend {
  touser: string;
  open_kfid: string;
  content: string;
  msgid: string;
  /** The errcode it was refused with; undefined when it went out. */
  refused?: number;
}

export interface WecomCall {
  path: string;
  body: Record<string, unknown>;
  errcode: number;
}

export interface FakeWecom {
  apiRoot: string;
  corpId: string;
  secret: string;
  calls: WecomCall[];
  /** Every send_msg, refused or not. */
  sends: WecomSend[];
  /** send_msg calls that went out. */
  delivered(): WecomSend[];
  tokensIssued(): number;
  /** A customer message of any msgtype (`fields` holds e.g. `{ text: { content } }`); returns its msgid. */
  push(message: { open_kfid: string; external_userid: string; msgtype: string; origin?: number; [field: string]: unknown }): string;
  customerText(openKfid: string, externalUserId: string, content: string): string;
  enterSession(openKfid: string, externalUserId: string): string;
  /** The next call to `path` (`kf/send_msg`, `kf/sync_msg`, `gettoken`) matching `match` answers `errcode`. */
  failNext(path: string, errcode: number, match?: (body: Record<string, unknown>) => boolean): void;
  /** Every access token issued so far is expired (the next call with one answers 42001). */
  expireTokens(): void;
  close(): Promise<void>;
}

const ERRMSG: Record<number, string> = {
  40001: 'invalid secret',
  40014: 'invalid access_token',
  42001: 'access_token expired',
  45009: 'api freq out of limit',
  95001: 'send msg count limit',
  95016: 'invalid session status',
  95018: 'send msg not allowed in current session state',
  [-1]: 'system busy',
};

const ok = (json: Record<string, unknown>): FakeResponse => ({ json: { errcode: 0, errmsg: 'ok', ...json } });
const fail = (errcode: number): FakeResponse => ({ json: { errcode, errmsg: ERRMSG[errcode] ?? 'error' } });

export async function startFakeWecom(options: WecomFakeOptions = {}): Promise<FakeWecom> {
  const corpId = options.corpId ?? 'ww0123456789abcdef';
  const secret = options.secret ?? 'kf-secret-5f3a9c';
  const messages: WecomStoredMessage[] = [];
  const valid = new Set<string>();
  const expired = new Set<string>();
  const faults: Array<{ path: string; errcode: number; match?: (body: Record<string, unknown>) => boolean }> = [];
  const calls: WecomCall[] = [];
  const sends: WecomSend[] = [];
  let issued = 0;
  let nextMsg = 1;

  const store = (message: Omit<WecomStoredMessage, 'msgid' | 'send_time'> & { [field: string]: unknown }): string => {
    const msgid = `msg${String(nextMsg++).padStart(6, '0')}`;
    messages.push({ ...message, msgid, send_time: Math.floor(Date.now() / 1000) } as WecomStoredMessage);
    return msgid;
  };

  const takeFault = (path: string, body: Record<string, unknown>): number | undefined => {
    const index = faults.findIndex((f) => f.path === path && (f.match === undefined || f.match(body)));
    if (index === -1) return undefined;
    return faults.splice(index, 1)[0]!.errcode;
  };

  function tokenProblem(req: FakeRequest): number | undefined {
    const token = req.query.get('access_token') ?? '';
    if (expired.has(token)) return 42001;
    return valid.has(token) ? undefined : 40014;
  }

  function handle(req: FakeRequest): FakeResponse {
    const path = req.path.replace(/^\/cgi-bin\//, '');
    const body = asRecord(req.body);
    const answer = (response: FakeResponse): FakeResponse => {
      calls.push({ path, body, errcode: Number(asRecord((response.json ?? {}) as unknown).errcode ?? 0) });
      return response;
    };
    if (path === 'gettoken' && req.method === 'GET') {
      const fault = takeFault(path, body);
      if (fault !== undefined) return answer(fail(fault));
      if (req.query.get('corpid') !== corpId || req.query.get('corpsecret') !== secret) return answer(fail(40001));
      const token = `fake-access-token-${++issued}-${Math.random().toString(36).slice(2, 10)}`;
      valid.add(token);
      return answer(ok({ access_token: token, expires_in: 7200 }));
    }
    if (req.method !== 'POST') return answer({ status: 404, json: { errcode: 404, errmsg: 'not found' } });
    const problem = tokenProblem(req);
    if (problem !== undefined) return answer(fail(problem));
    const fault = takeFault(path, body);
    if (path === 'kf/sync_msg') {
      if (fault !== undefined) return answer(fail(fault));
      const openKfid = String(body.open_kfid ?? '');
      const limit = Math.min(options.pageSize ?? 1000, Number(body.limit ?? 1000));
      const start = /^c(\d+)$/.exec(String(body.cursor ?? ''))?.[1];
      const mine = messages.filter((m) => openKfid === '' || m.open_kfid === openKfid);
      const from = start === undefined ? 0 : Number(start);
      const page = mine.slice(from, from + limit);
      return answer(ok({ next_cursor: `c${from + page.length}`, has_more: from + page.length < mine.length ? 1 : 0, msg_list: page }));
    }
    if (path === 'kf/send_msg') {
      const text = asRecord(body.text);
      const send: WecomSend = { touser: String(body.touser), open_kfid: String(body.open_kfid), content: String(text.content ?? ''), msgid: '' };
      if (fault !== undefined) {
        sends.push({ ...send, refused: fault });
        return answer(fail(fault));
      }
      // What we send comes back in sync_msg as origin 5, as WeCom reports a servicer's message.
      send.msgid = store({ open_kfid: send.open_kfid, external_userid: send.touser, origin: 5, msgtype: 'text', text: { content: send.content } });
      sends.push(send);
      return answer(ok({ msgid: send.msgid }));
    }
    return answer({ json: { errcode: 404, errmsg: `unknown api ${path}` } });
  }

  const fake = await startHttpFake(handle);
  return {
    apiRoot: fake.origin,
    corpId,
    secret,
    calls,
    sends,
    delivered: () => sends.filter((s) => s.refused === undefined),
    tokensIssued: () => issued,
    push: (message) => store({ origin: 3, ...message }),
    customerText: (openKfid, externalUserId, content) =>
      store({ open_kfid: openKfid, external_userid: externalUserId, origin: 3, msgtype: 'text', text: { content } }),
    enterSession: (openKfid, externalUserId) =>
      store({
        open_kfid: openKfid, external_userid: '', origin: 4, msgtype: 'event',
        event: { event_type: 'enter_session', open_kfid: openKfid, external_userid: externalUserId, scene: '123', welcome_code: 'aaaaa' },
      }),
    failNext: (path, errcode, match) => faults.push({ path, errcode, ...(match ? { match } : {}) }),
    expireTokens: () => {
      for (const token of valid) expired.add(token);
      valid.clear();
    },
    close: () => fake.close(),
  };
}

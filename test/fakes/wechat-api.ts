/**
 * A loopback fake of WeChat's Official Account API, for the real client in
 * src/adapters/wechat-official/api.ts (`WECHAT_API_ROOT=fake.apiRoot`):
 *   GET  /cgi-bin/token?grant_type=client_credential&appid=…&secret=…  → { access_token, expires_in }
 *   POST /cgi-bin/message/custom/send?access_token=…                   → { errcode: 0, errmsg: 'ok' }
 * WeChat answers HTTP 200 with an `errcode` for every refusal, as the real API does. Tokens are
 * checked: an unknown one is 40001, an expired one (expireTokens) 42001.
 */
import { asRecord, FaultRules, startHttpFake, type FakeRequest, type FakeResponse } from './http-fake.ts';

export interface WechatSend {
  touser: string;
  msgtype: string;
  content: string;
  /** The token the call came with (tests check that a refreshed one was used). */
  accessToken: string;
  /** The errcode this call was refused with, when it was. */
  failed?: number;
}

export interface FakeWechatOptions {
  appId?: string;
  appSecret?: string;
  /** `expires_in` of issued tokens, in seconds (WeChat's is 7200). */
  expiresIn?: number;
}

export interface FakeWechat {
  apiRoot: string;
  appId: string;
  appSecret: string;
  /** Every custom/send call, refused or not, in order. */
  sends: WechatSend[];
  /** Sends WeChat accepted. */
  delivered(): WechatSend[];
  /** How many tokens were issued (each GET /cgi-bin/token that succeeded). */
  tokensIssued(): number;
  /** Every token request's query, secret included (tests check what was asked, never log it). */
  tokenRequests: URLSearchParams[];
  /** The next send (to `touser`, or whose text contains `containing`, if given) is refused with `errcode`. */
  failNextSend(errcode: number, options?: { touser?: string; containing?: string; errmsg?: string; times?: number }): void;
  /** Every token issued so far stops working (42001), as when WeChat expires or another server refreshes it. */
  expireTokens(): void;
  close(): Promise<void>;
}

const ERRMSG: Record<number, string> = {
  [-1]: 'system error',
  40001: 'invalid credential, access_token is invalid or not latest',
  42001: 'access_token expired',
  45015: 'response out of time limit or subscription is canceled',
  45047: 'out of response count limit',
  40003: 'invalid openid',
};

export async function startFakeWechat(options: FakeWechatOptions = {}): Promise<FakeWechat> {
  const appId = options.appId ?? 'wx5823bf96d3bd56c7';
  const appSecret = options.appSecret ?? 'fake-app-secret-0123456789abcdef';
  const live = new Set<string>();
  const expired = new Set<string>();
  const faults = new FaultRules<{ errcode: number; errmsg?: string }>();
  const sends: WechatSend[] = [];
  const tokenRequests: URLSearchParams[] = [];
  let issued = 0;

  const refuse = (errcode: number, errmsg?: string): FakeResponse => ({ json: { errcode, errmsg: errmsg ?? ERRMSG[errcode] ?? 'error' } });

  const handle = (req: FakeRequest): FakeResponse => {
    if (req.method === 'GET' && req.path === '/cgi-bin/token') {
      tokenRequests.push(req.query);
      if (req.query.get('grant_type') !== 'client_credential') return refuse(40002, 'invalid grant_type');
      if (req.query.get('appid') !== appId) return refuse(40013, 'invalid appid');
      if (req.query.get('secret') !== appSecret) return refuse(40125, 'invalid appsecret');
      const token = `ACCESS_TOKEN_${++issued}_${Math.random().toString(36).slice(2)}`;
      live.add(token);
      return { json: { access_token: token, expires_in: options.expiresIn ?? 7200 } };
    }
    if (req.method === 'POST' && req.path === '/cgi-bin/message/custom/send') {
      const token = req.query.get('access_token') ?? '';
      const body = asRecord(req.body);
      const send: WechatSend = {
        touser: String(body.touser ?? ''),
        msgtype: String(body.msgtype ?? ''),
        content: String(asRecord(body.text).content ?? ''),
        accessToken: token,
      };
      sends.push(send);
      const tokenProblem = expired.has(token) ? 42001 : live.has(token) ? undefined : 40001;
      if (tokenProblem !== undefined) {
        send.failed = tokenProblem;
        return refuse(tokenProblem);
      }
      const fault = faults.take('custom/send', body);
      if (fault !== undefined) {
        send.failed = fault.errcode;
        return refuse(fault.errcode, fault.errmsg);
      }
      if (send.touser === '' || send.msgtype !== 'text' || send.content === '') return refuse(44003, 'empty news data');
      return { json: { errcode: 0, errmsg: 'ok' } };
    }
    return { status: 404, json: { errcode: 404, errmsg: `no ${req.method} ${req.path} in this fake` } };
  };

  const fake = await startHttpFake(handle);
  return {
    apiRoot: fake.origin,
    appId,
    appSecret,
    sends,
    tokenRequests,
    delivered: () => sends.filter((s) => s.failed === undefined),
    tokensIssued: () => issued,
    failNextSend(errcode, failOptions = {}) {
      const { touser, containing } = failOptions;
      faults.add('custom/send', { errcode, ...(failOptions.errmsg ? { errmsg: failOptions.errmsg } : {}) }, {
        times: failOptions.times ?? 1,
        match: (payload: Record<string, unknown>) =>
          (touser === undefined || payload.touser === touser) && (containing === undefined || String(asRecord(payload.text).content ?? '').includes(containing)),
      });
    },
    expireTokens() {
      for (const token of live) expired.add(token);
      live.clear();
    },
    close: () => fake.close(),
  };
}

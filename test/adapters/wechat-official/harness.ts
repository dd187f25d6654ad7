/**
 * An end-to-end Official Account desk: the real channel (createWechatOfficialChannel) behind the
 * service's own HTTP server, the fake WeChat API (test/fakes/wechat-api.ts), and a real core + KB
 * on a per-test database. Callbacks are made as WeChat makes them: XML, signed with the Token over
 * the query's timestamp and nonce, and in safe mode encrypted with the EncodingAESKey and signed
 * again (msg_signature). The founder console is a RecordingSender of the core's notices.
 */
import { createWechatOfficialChannel } from '../../../src/adapters/wechat-official/index.ts';
import { loadConfig } from '../../../src/config/env.ts';
import { FOUNDER_CHANNEL, type CoreApi } from '../../../src/core/ports.ts';
import { createHttpServer } from '../../../src/http/server.ts';
import { encryptWechatMessage, wechatSignature } from '../../../src/http/wechat-crypto.ts';
import { buildWechatXml } from '../../../src/http/wechat-xml.ts';
import { createMetrics } from '../../../src/observability/metrics.ts';
import { startFakeWechat, type FakeWechat } from '../../fakes/wechat-api.ts';
import { captureLogger } from '../../support/capture-logger.ts';
import { channelContextOf } from '../../support/channel-context.ts';
import { TestClock } from '../../support/test-clock.ts';
import { createTestDesk, RecordingSender, settleDesk, type TestDesk } from '../../support/test-desk.ts';

export const OA_TOKEN = 'solodesk-oa-token';
/** The account's original id: the ToUserName of every callback. */
export const OA_ORIGINAL_ID = 'gh_solodesk0001';
export const OA_AES_KEY = 'jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C';

export interface OfficialHarnessOptions {
  /** Safe mode: callbacks are encrypted (WECHAT_OA_AES_KEY set). */
  safeMode?: boolean;
  /** Puts something between the adapter and the core (a core that refuses for a while). */
  wrapCore?: (core: CoreApi) => CoreApi;
}

export interface Callback {
  /** The callback's fields before signing (and encrypting). */
  fields: Record<string, string | number>;
}

export interface OfficialHarness {
  desk: TestDesk;
  clock: TestClock;
  wechat: FakeWechat;
  founder: RecordingSender;
  logs: string[];
  url: string;
  /** A text message from `openId`; WeChat's MsgId is chosen here unless given. */
  text(openId: string, content: string, msgId?: string): Callback;
  event(openId: string, event: string, extra?: Record<string, string>): Callback;
  /** POSTs the callback as WeChat would, signed (and encrypted in safe mode); returns the answer. */
  deliver(callback: Callback, tamper?: { signature?: string; msgSignature?: string; body?: string }): Promise<{ status: number; body: string }>;
  /** GETs the URL check as the admin console would. */
  verify(echostr: string, options?: { signature?: string; encrypted?: boolean }): Promise<{ status: number; body: string }>;
  settle<T>(check: () => T | Promise<T>, what?: string): Promise<NonNullable<T>>;
  storedCustomerTexts(): Promise<string[]>;
  close(): Promise<void>;
}

export async function startOfficialHarness(options: OfficialHarnessOptions = {}): Promise<OfficialHarness> {
  const clock = new TestClock();
  const founder = new RecordingSender(FOUNDER_CHANNEL);
  const desk = await createTestDesk({ clock, senders: [founder] });
  const wechat = await startFakeWechat();
  const { logger, lines: logs } = captureLogger('debug');
  const metrics = createMetrics();
  const config = loadConfig({
    WECHAT_OA_APP_ID: wechat.appId,
    WECHAT_OA_APP_SECRET: wechat.appSecret,
    WECHAT_OA_TOKEN: OA_TOKEN,
    WECHAT_API_ROOT: wechat.apiRoot,
    ...(options.safeMode ? { WECHAT_OA_AES_KEY: OA_AES_KEY } : {}),
  });
  const http = createHttpServer({ logger, metrics, readiness: () => ({ ready: true, details: {} }) });
  const channel = createWechatOfficialChannel(channelContextOf({ config, core: options.wrapCore ? options.wrapCore(desk.core) : desk.core, kb: desk.kb, http, logger, metrics, clock }, desk.database.db));
  for (const sender of channel.senders) desk.core.dispatcher.registerSender(sender);
  const port = await http.listen(0, '127.0.0.1');
  await channel.start();
  const url = `http://127.0.0.1:${port}/wechat/official`;
  let counter = 0;
  const now = (): number => Math.floor(clock.now() / 1000);

  const signedQuery = (signature?: string): URLSearchParams => {
    const timestamp = String(now());
    const nonce = String(100000 + ++counter);
    return new URLSearchParams({ signature: signature ?? wechatSignature(OA_TOKEN, timestamp, nonce), timestamp, nonce, openid: 'o-query' });
  };

  return {
    desk,
    clock,
    wechat,
    founder,
    logs,
    url,
    text(openId, content, msgId) {
      const id = msgId ?? String(6_000_000_000_000_000_000n + BigInt(++counter));
      return { fields: { ToUserName: OA_ORIGINAL_ID, FromUserName: openId, CreateTime: now(), MsgType: 'text', Content: content, MsgId: id } };
    },
    event(openId, event, extra = {}) {
      // Events have no MsgId; two of one follower differ by CreateTime, so each gets its own second.
      return { fields: { ToUserName: OA_ORIGINAL_ID, FromUserName: openId, CreateTime: now() + ++counter, MsgType: 'event', Event: event, ...extra } };
    },
    async deliver(callback, tamper = {}) {
      const query = signedQuery(tamper.signature);
      let body = buildWechatXml(callback.fields);
      if (options.safeMode) {
        const encrypt = encryptWechatMessage(body, OA_AES_KEY, wechat.appId);
        query.set('encrypt_type', 'aes');
        query.set('msg_signature', tamper.msgSignature ?? wechatSignature(OA_TOKEN, query.get('timestamp')!, query.get('nonce')!, encrypt));
        body = buildWechatXml({ ToUserName: OA_ORIGINAL_ID, Encrypt: encrypt });
      }
      const response = await fetch(`${url}?${query}`, { method: 'POST', headers: { 'content-type': 'text/xml' }, body: tamper.body ?? body });
      return { status: response.status, body: await response.text() };
    },
    async verify(echostr, verifyOptions = {}) {
      const query = signedQuery(verifyOptions.signature);
      if (verifyOptions.encrypted) {
        const encrypted = encryptWechatMessage(echostr, OA_AES_KEY, wechat.appId);
        query.set('echostr', encrypted);
        query.set('msg_signature', verifyOptions.signature ?? wechatSignature(OA_TOKEN, query.get('timestamp')!, query.get('nonce')!, encrypted));
      } else {
        query.set('echostr', echostr);
      }
      const response = await fetch(`${url}?${query}`);
      return { status: response.status, body: await response.text() };
    },
    settle: (check, what) => settleDesk(desk, check, what),
    async storedCustomerTexts() {
      const rows = await desk.database.db.prisma.message.findMany({ where: { author: 'customer' }, orderBy: { createdAt: 'asc' }, select: { text: true } });
      return rows.map((r) => r.text);
    },
    async close() {
      await channel.stop();
      await http.close(0);
      await desk.dispose();
      await wechat.close();
    },
  };
}

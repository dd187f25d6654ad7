/**
 * An end-to-end WeCom desk: the real channel (createWecomChannel) on our real HTTP server, the
 * loopback fake WeCom API, a real core + KB on a per-test database. Callbacks are built as WeCom
 * builds them: the event XML encrypted for our corp, wrapped, and signed with msg_signature.
 */
import { createWecomChannel, type WecomChannel } from '../../../src/adapters/wecom/index.ts';
import { loadConfig } from '../../../src/config/env.ts';
import { createHttpServer, type HttpServer } from '../../../src/http/server.ts';
import { encryptWechatMessage, wechatSignature } from '../../../src/http/wechat-crypto.ts';
import { buildWechatXml } from '../../../src/http/wechat-xml.ts';
import { createMetrics } from '../../../src/observability/metrics.ts';
import { captureLogger } from '../../support/capture-logger.ts';
import { channelContextOf } from '../../support/channel-context.ts';
import { TestClock } from '../../support/test-clock.ts';
import { createTestDesk, settleDesk, type TestDesk } from '../../support/test-desk.ts';
import { startFakeWecom, type FakeWecom } from '../../fakes/wecom-api.ts';

export const TOKEN = 'wecomCallbackToken42';
/** 43 base64 characters, as the admin console generates them. */
export const AES_KEY = 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG';
export const KF = 'wkAJ2GCAAAZSfhHCt7IFSvLKtMPxyJTw';

export interface WecomHarness {
  fake: FakeWecom;
  desk: TestDesk;
  clock: TestClock;
  channel: WecomChannel;
  http: HttpServer;
  url: string;
  logs: string[];
  /** A correctly signed and encrypted kf_msg_or_event callback; the HTTP status. */
  nudge(openKfid?: string, options?: { signature?: string; aesKey?: string }): Promise<number>;
  /** GET URL verification with an encrypted echostr. */
  verify(echo: string, options?: { signature?: string }): Promise<Response>;
  settle<T>(check: () => T | Promise<T>, what?: string): Promise<NonNullable<T>>;
  /** Stops the channel and the HTTP server only (a restart keeps the desk and the fake). */
  stopChannel(): Promise<void>;
  close(): Promise<void>;
}

export async function startWecomHarness(options: { desk?: TestDesk; fake?: FakeWecom; clock?: TestClock; unthrottled?: boolean } = {}): Promise<WecomHarness> {
  const clock = options.clock ?? new TestClock();
  const fake = options.fake ?? (await startFakeWecom());
  const desk = options.desk ?? (await createTestDesk({ clock }));
  const { logger, lines: logs } = captureLogger('debug');
  const config = loadConfig({
    WECOM_CORP_ID: fake.corpId,
    WECOM_KF_SECRET: fake.secret,
    WECOM_TOKEN: TOKEN,
    WECOM_AES_KEY: AES_KEY,
    WECOM_API_ROOT: fake.apiRoot,
  });
  const http = createHttpServer({ logger, metrics: createMetrics(), readiness: () => ({ ready: true, details: {} }) });
  const channel = createWecomChannel(
    channelContextOf({ config, core: desk.core, kb: desk.kb, http, logger, metrics: createMetrics(), clock }, desk.database.db),
    { prisma: desk.database.db.prisma },
  );
  for (const sender of channel.senders) {
    // The per-chat spacing is the dispatcher's own test; unthrottled so an exchange needs no waiting.
    desk.core.dispatcher.registerSender(options.unthrottled === false ? sender : { channel: sender.channel, send: (d) => sender.send(d) });
  }
  const port = await http.listen(0, '127.0.0.1');
  await channel.start();
  const url = `http://127.0.0.1:${port}/wecom/kf`;
  let nonce = 0;
  let stopped = false;
  const stopChannel = async (): Promise<void> => {
    if (stopped) return;
    stopped = true;
    await channel.stop();
    await http.close(0);
  };

  return {
    fake,
    desk,
    clock,
    channel,
    http,
    url,
    logs,
    async nudge(openKfid = KF, o = {}) {
      const timestamp = String(Math.floor(Date.now() / 1000));
      const n = `nonce${++nonce}`;
      const inner = buildWechatXml({
        ToUserName: fake.corpId, CreateTime: Number(timestamp), MsgType: 'event', Event: 'kf_msg_or_event',
        Token: `ENCApHxnGDNAVNY4AaSJKj4Tb5mwsEMzxhFmHVGcra996NR${nonce}`, OpenKfId: openKfid,
      });
      const encrypted = encryptWechatMessage(inner, o.aesKey ?? AES_KEY, fake.corpId);
      const signature = o.signature ?? wechatSignature(TOKEN, timestamp, n, encrypted);
      const query = new URLSearchParams({ msg_signature: signature, timestamp, nonce: n });
      const body = buildWechatXml({ ToUserName: fake.corpId, AgentID: '', Encrypt: encrypted });
      const response = await fetch(`${url}?${query}`, { method: 'POST', headers: { 'content-type': 'text/xml' }, body });
      await response.text();
      return response.status;
    },
    verify(echo, o = {}) {
      const timestamp = String(Math.floor(Date.now() / 1000));
      const echostr = encryptWechatMessage(echo, AES_KEY, fake.corpId);
      const signature = o.signature ?? wechatSignature(TOKEN, timestamp, 'vnonce', echostr);
      return fetch(`${url}?${new URLSearchParams({ msg_signature: signature, timestamp, nonce: 'vnonce', echostr })}`);
    },
    settle: (check, what) => settleDesk(desk, check, what),
    stopChannel,
    async close() {
      await stopChannel();
      if (!options.desk) await desk.dispose();
      if (!options.fake) await fake.close();
    },
  };
}

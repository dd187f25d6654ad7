import type { PrismaClient } from '@prisma/client';
import type { ChannelAdapter, ChannelCapabilities, ChannelContext } from '../../core/channel-adapter.ts';
import { createWecomApi, type WecomApi } from './api.ts';
import { CALLBACK_PATH, createEventHandler, createVerifyHandler } from './callback.ts';
import { createCursorStore } from './cursor.ts';
import { TypedRatings } from '../../core/plain-reply.ts';
import { WECOM_TEXT_MAX_BYTES } from './format.ts';
import { WECOM_CHANNEL } from './parse.ts';
import { createWecomSender, WECOM_LIMITS } from './send.ts';
import { createKfQueue, syncKfAccount } from './sync.ts';

// WeCom customer service (微信客服): customers write to a kf account in WeChat; WeCom calls
// /wecom/kf with a signed, encrypted nudge; we fetch the messages with kf/sync_msg from a cursor
// kept in the database, store them through the core, and answer through kf/send_msg.
//
// When to answer the callback: WeCom waits 5 s and then calls again (up to 3 times). The messages
// do not travel in the callback, they wait on WeCom's side until our cursor moves past them, so
// the callback is only a nudge and answering it early loses nothing. The handler therefore waits
// for the fetch-and-store only ACK_WITHIN_MS (3 s, on the channel's clock): a fetch done by then
// is answered 200 — or 500/503 when it failed, so WeCom's retry nudges again; a slower fetch goes
// on after the 200 (the per-kf queue keeps it the only one), and if it then fails it is retried
// once a little later, with the same Token (valid ten minutes). Either way the next customer
// message nudges a fetch from the stored cursor, which picks up anything left behind.

export { CALLBACK_PATH } from './callback.ts';
export { WECOM_CHANNEL, wecomChatId, parseWecomChatId } from './parse.ts';
export { createWecomSender } from './send.ts';

/** How long a callback waits for its fetch before answering anyway (WeCom gives up at 5 s). */
export const ACK_WITHIN_MS = 3_000;
/** When a fetch that outlived its callback failed: one more try after this. */
export const BACKGROUND_RETRY_MS = 30_000;

/**
 * Plain text out (no buttons, no edits); photos, voice, video and files come in as references;
 * 2,048 bytes per message, so about 680 Chinese characters (longer replies go in parts).
 */
export const WECOM_CAPABILITIES: ChannelCapabilities = {
  buttons: false,
  threads: false,
  files: true,
  edits: false,
  maxTextLength: Math.floor(WECOM_TEXT_MAX_BYTES / 3),
  rateLimits: { ...WECOM_LIMITS },
};

export interface WecomChannelOptions {
  /** The database the cursor lives in (the composition root's; a test's). */
  prisma: PrismaClient;
  /** Tests of network failures inject one; the global fetch otherwise. */
  fetch?: typeof fetch;
}

export interface WecomChannel extends ChannelAdapter {
  /** The API client (tests count its token fetches). */
  readonly api: WecomApi;
}

export function createWecomChannel(ctx: ChannelContext, options: WecomChannelOptions): WecomChannel {
  const config = ctx.config.wecom;
  if (config === undefined) throw new Error('WeCom is not configured (WECOM_CORP_ID, WECOM_KF_SECRET, WECOM_TOKEN, WECOM_AES_KEY)');
  const logger = ctx.logger.child({ channel: WECOM_CHANNEL });
  const api = createWecomApi({
    apiRoot: config.apiRoot,
    corpId: config.corpId,
    secret: config.secret,
    clock: ctx.clock,
    ...(options.fetch ? { fetch: options.fetch } : {}),
  });
  const choices = new TypedRatings();
  const syncDeps = { api, cursors: createCursorStore(options.prisma), core: ctx.core, choices, logger };
  const queue = createKfQueue(async (openKfid, token) => {
    const { stored } = await syncKfAccount(syncDeps, openKfid, token);
    if (stored > 0) logger.debug({ openKfid, stored }, 'wecom messages fetched and stored');
  });

  let accepting = false;
  const inFlight = new Set<Promise<unknown>>();
  const retries = new Set<unknown>();

  const track = <T>(task: Promise<T>): Promise<T> => {
    inFlight.add(task);
    void task.catch(() => undefined).finally(() => inFlight.delete(task));
    return task;
  };

  function retryLater(openKfid: string, token: string): void {
    if (!accepting) return;
    const timer = ctx.clock.setTimeout(() => {
      retries.delete(timer);
      if (!accepting) return;
      track(queue(openKfid, token)).catch((error: unknown) => logger.error({ err: error, openKfid }, 'wecom fetch retry failed; the next callback fetches again'));
    }, BACKGROUND_RETRY_MS);
    retries.add(timer);
  }

  async function nudge(openKfid: string, token: string): Promise<void> {
    const run = track(queue(openKfid, token));
    let answered = false;
    run.catch((error: unknown) => {
      if (!answered) return; // the callback answers it (500/503): WeCom calls again
      logger.error({ err: error, openKfid }, 'wecom fetch failed after the callback was answered; retrying later');
      retryLater(openKfid, token);
    });
    let timer: unknown;
    const slow = new Promise<'slow'>((resolve) => {
      timer = ctx.clock.setTimeout(() => resolve('slow'), ACK_WITHIN_MS);
    });
    try {
      const outcome = await Promise.race([run.then(() => 'done' as const), slow]);
      if (outcome === 'slow') logger.info({ openKfid }, 'wecom fetch is slow; callback answered, the fetch goes on');
    } finally {
      answered = true;
      ctx.clock.clearTimeout(timer);
    }
  }

  const callback = { corpId: config.corpId, token: config.token, aesKey: config.aesKey, logger, accepting: () => accepting, nudge };
  ctx.http.addRoute({ method: 'GET', path: CALLBACK_PATH, handler: createVerifyHandler(callback) });
  ctx.http.addRoute({ method: 'POST', path: CALLBACK_PATH, handler: createEventHandler(callback) });

  return {
    name: WECOM_CHANNEL,
    capabilities: WECOM_CAPABILITIES,
    senders: [createWecomSender({ api, choices })],
    api,
    async start() {
      // A wrong corp id or secret fails the start (the service retries and says so), not the first reply.
      await api.checkCredentials();
      accepting = true;
      // What customers wrote while no process was running waits on WeCom's side, and its callback
      // is long gone: fetch every account this desk has read before, once, without a token (the
      // slower rate limit is fine for one catch-up). Later messages come with their callbacks.
      for (const name of await syncDeps.cursors.names(`${WECOM_CHANNEL}:`)) {
        const openKfid = name.slice(WECOM_CHANNEL.length + 1);
        track(queue(openKfid, '')).catch((error: unknown) => {
          logger.error({ err: error, openKfid }, 'wecom catch-up fetch at start failed; retrying later');
          retryLater(openKfid, '');
        });
      }
      const url = ctx.config.publicUrl ? `${ctx.config.publicUrl}${CALLBACK_PATH}` : `<PUBLIC_URL>${CALLBACK_PATH}`;
      logger.info({ url }, 'wecom customer service ready; set this callback URL in the WeCom admin console');
    },
    async stop() {
      accepting = false;
      for (const timer of retries) ctx.clock.clearTimeout(timer);
      retries.clear();
      await Promise.allSettled([...inFlight]);
    },
  };
}

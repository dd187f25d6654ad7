import { phrases } from '../../core/phrases.ts';
import type { CoreApi } from '../../core/ports.ts';
import type { Logger } from '../../observability/logger.ts';
import type { WecomApi } from './api.ts';
import type { CursorStore } from './cursor.ts';
import { storeTypedReply, type TypedRatings } from '../../core/plain-reply.ts';
import { parseSyncedMessage, WECOM_CHANNEL, type WecomSyncMessage } from './parse.ts';

// WeCom's callback carries no message, only a nudge: "kf account X has news, here is a Token to
// fetch it with". The messages wait on WeCom's side until our cursor moves past them, so fetching
// is: read the stored cursor, kf/sync_msg page by page while has_more, store every message of a
// page through core.handleInbound, and only then advance the cursor (store first, then advance:
// a crash in between fetches the page again, and the core drops what it already has by msgid).
//
// One fetch per kf account at a time in this process: two at once would read the same cursor and
// fetch the same pages. A nudge that arrives while one runs queues exactly one more run (messages
// may have arrived after the running fetch read its last page); further nudges join that one.
// Between processes the cursor's compare-and-set keeps it from moving backwards.

/** sync_msg's largest page. */
export const SYNC_PAGE_LIMIT = 1000;

interface SyncPage {
  next_cursor?: string;
  has_more?: number | boolean;
  msg_list?: WecomSyncMessage[];
}

export interface SyncDeps {
  api: WecomApi;
  cursors: CursorStore;
  core: CoreApi;
  choices: TypedRatings;
  logger: Logger;
}

/** Fetches and stores everything new for one kf account; resolves once the cursor is past it. */
export async function syncKfAccount(deps: SyncDeps, openKfid: string, callbackToken: string): Promise<{ stored: number }> {
  const name = `${WECOM_CHANNEL}:${openKfid}`;
  let cursor = await deps.cursors.read(name);
  let stored = 0;
  for (;;) {
    const page = await deps.api.post<SyncPage>('kf/sync_msg', {
      cursor,
      // The callback's Token lifts sync_msg's stricter rate limit for the next ten minutes.
      ...(callbackToken ? { token: callbackToken } : {}),
      limit: SYNC_PAGE_LIMIT,
      open_kfid: openKfid,
    });
    for (const message of page.msg_list ?? []) {
      if (await storeOne(deps, message)) stored += 1;
    }
    const next = page.next_cursor ?? cursor;
    if (!(await deps.cursors.advance(name, cursor, next))) {
      // Another process fetched the same page and moved on: its fetch takes it from here.
      deps.logger.debug({ openKfid }, 'wecom cursor moved by another process; leaving the rest to it');
      return { stored };
    }
    cursor = next;
    if (!page.has_more || next === '') return { stored };
  }
}

/** Stores one synced message (or records why not); true when it was a customer's message. */
async function storeOne(deps: SyncDeps, message: WecomSyncMessage): Promise<boolean> {
  const item = parseSyncedMessage(message);
  if (item.kind === 'ignored') {
    deps.logger.debug({ msgid: message.msgid, reason: item.reason }, 'wecom message ignored');
    return false;
  }
  if (item.kind === 'enter_session') {
    // Greeted through the outbox like Telegram's /start; the event's msgid dedupes it. Chinese:
    // nothing was said yet to tell the language by, and WeCom's customers are WeChat users.
    await deps.core.handleInbound({ ...item.input, autoReply: phrases('zh').greeting });
    return true;
  }
  // "1"/"2" typed under a 👍/👎 rating is the press WeCom has no button for.
  await storeTypedReply(deps.core, deps.choices, item.input);
  return true;
}

/**
 * Runs `sync` for each kf account one at a time, coalescing nudges: at most one run waiting
 * behind the running one, and it uses the newest callback Token.
 */
export function createKfQueue(sync: (openKfid: string, token: string) => Promise<unknown>): (openKfid: string, token: string) => Promise<void> {
  const lanes = new Map<string, { tail: Promise<void>; waiting?: { token: string } }>();
  return (openKfid, token) => {
    const lane = lanes.get(openKfid);
    if (lane?.waiting !== undefined) {
      lane.waiting.token = token;
      return lane.tail;
    }
    const waiting = { token };
    const entry: { tail: Promise<void>; waiting?: { token: string } } = { tail: Promise.resolve(), waiting };
    entry.tail = (lane?.tail ?? Promise.resolve())
      .catch(() => undefined)
      .then(async () => {
        // Started: a nudge from now on may bring messages this run will not see, so it queues anew.
        entry.waiting = undefined;
        await sync(openKfid, waiting.token);
      })
      .finally(() => {
        if (lanes.get(openKfid) === entry) lanes.delete(openKfid);
      });
    lanes.set(openKfid, entry);
    return entry.tail;
  };
}

import type { Api, RawApi } from 'grammy';
import type { Update } from 'grammy/types';
import { OverloadedError } from '../../errors.ts';
import type { Logger } from '../../observability/logger.ts';
import { safeError, unwrapBotError } from './errors.ts';

// Long polling that confirms only what is stored. Telegram forgets every update below the
// `offset` of the next getUpdates, so the offset moves past an update only once its handler
// resolved (the core committed it). When a handler fails, the loop stops at that update, waits,
// and fetches again from it: the updates after it that did succeed come back too, and the core
// drops them as duplicates. Chats are handled concurrently, each chat's updates in order.

export type Sleep = (ms: number, signal: AbortSignal) => Promise<void>;

export interface LongPollingOptions {
  api: Api<RawApi>;
  token: string;
  logger: Logger;
  /** Handles (stores) one update; throws when it was not stored. */
  handle(update: Update): Promise<void>;
  /** Long-poll timeout of getUpdates in seconds. */
  timeoutSeconds: number;
  allowedUpdates: readonly string[];
  /** Waits between failed rounds; resolves early when the signal aborts. Injected by tests. */
  sleep?: Sleep;
  /** First wait after a failure, doubled per consecutive failure up to `maxBackoffMs`. */
  initialBackoffMs?: number;
  maxBackoffMs?: number;
}

export interface LongPolling {
  /** Aborts the pending getUpdates, waits for the updates in flight, confirms what was stored. */
  stop(): Promise<void>;
}

/** grammY's declared signal type is the `abort-controller` polyfill's; Node's own works the same at run time. */
export type GrammySignal = NonNullable<Parameters<Api<RawApi>['getMe']>[0]>;
export function grammySignal(signal: AbortSignal): GrammySignal {
  return signal as unknown as GrammySignal;
}

/** Resolves after `ms`, or at once when `signal` aborts; never rejects, leaves no timer behind. */
export const sleepUnlessAborted: Sleep = (ms, signal) =>
  new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const done = (): void => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });

/** How long the confirming getUpdates on stop may take: stopping must not hang on Telegram. */
const CONFIRM_TIMEOUT_MS = 5_000;

export function startLongPolling(options: LongPollingOptions): LongPolling {
  const { api, logger, token } = options;
  const sleep = options.sleep ?? sleepUnlessAborted;
  const initialBackoffMs = options.initialBackoffMs ?? 1_000;
  const maxBackoffMs = options.maxBackoffMs ?? 30_000;
  const abort = new AbortController();
  const signal = abort.signal;
  let offset: number | undefined;
  /** The offset Telegram has been told (sent with the last getUpdates). */
  let confirmed: number | undefined;
  let failures = 0;
  const backoff = (): number => Math.min(maxBackoffMs, initialBackoffMs * 2 ** Math.min(failures - 1, 30));

  async function round(): Promise<void> {
    let updates: Update[];
    try {
      const requested = offset;
      updates = await api.getUpdates(
        {
          ...(requested !== undefined ? { offset: requested } : {}),
          timeout: options.timeoutSeconds,
          allowed_updates: [...options.allowedUpdates] as Array<Exclude<keyof Update, 'update_id'>>,
        },
        grammySignal(signal),
      );
      confirmed = requested;
    } catch (error) {
      if (signal.aborted) return;
      failures += 1;
      const waitMs = backoff();
      logger.warn({ err: safeError(error, token), retryInMs: waitMs }, 'telegram getUpdates failed; retrying');
      await sleep(waitMs, signal);
      return;
    }
    const outcome = await handleBatch(updates, options.handle, signal);
    if (outcome.nextOffset !== undefined) offset = outcome.nextOffset;
    if (outcome.failure === undefined) {
      failures = 0;
      return;
    }
    failures += 1;
    const cause = unwrapBotError(outcome.failure.error);
    const waitMs = cause instanceof OverloadedError ? Math.max(cause.retryAfterMs, 1) : backoff();
    logger.warn(
      { err: safeError(cause, token), updateId: outcome.failure.updateId, retryInMs: waitMs },
      'telegram update not stored; fetching it again after a pause',
    );
    await sleep(waitMs, signal);
  }

  const loop = (async () => {
    while (!signal.aborted) {
      try {
        await round();
      } catch (error) {
        // round() catches what it expects; this is a bug, and polling must outlive it.
        failures += 1;
        logger.error({ err: safeError(error, token) }, 'telegram long polling round failed');
        await sleep(backoff(), signal);
      }
    }
  })();

  return {
    async stop() {
      abort.abort();
      await loop;
      if (offset === undefined || offset === confirmed) return;
      // Tell Telegram what was stored, so a restart does not get it again (the core would drop it,
      // but a founder's /kb command would be answered twice). Best effort.
      await api
        .getUpdates({ offset, limit: 1, timeout: 0 }, grammySignal(AbortSignal.timeout(CONFIRM_TIMEOUT_MS)))
        .catch((error: unknown) => logger.warn({ err: safeError(error, token) }, 'could not confirm the last telegram updates'));
    },
  };
}

/** The chat an update belongs to: updates of one chat are handled one after another. */
export function chatKeyOf(update: unknown): string | undefined {
  const u = update as { message?: { chat?: { id?: unknown } }; callback_query?: { message?: { chat?: { id?: unknown } }; from?: { id?: unknown } } };
  const chatId = u?.message?.chat?.id ?? u?.callback_query?.message?.chat?.id ?? u?.callback_query?.from?.id;
  return typeof chatId === 'number' || typeof chatId === 'string' ? String(chatId) : undefined;
}

export interface BatchOutcome {
  /** Where the next getUpdates starts: the first update not stored, or past the last one. */
  nextOffset: number | undefined;
  failure?: { updateId: number | undefined; error: unknown };
}

/**
 * Handles one getUpdates batch: chats concurrently, each chat in order, a chat stopping at its
 * first failure (its later updates must not overtake it). Also stops at an abort: what is not
 * handled then is fetched again by the next start.
 */
export async function handleBatch(updates: Update[], handle: (update: Update) => Promise<void>, signal: AbortSignal): Promise<BatchOutcome> {
  const chats = new Map<string, Update[]>();
  for (const [index, update] of updates.entries()) {
    const key = chatKeyOf(update) ?? `#${index}`;
    chats.set(key, [...(chats.get(key) ?? []), update]);
  }
  const notHandled: number[] = [];
  let failure: BatchOutcome['failure'];
  await Promise.all(
    [...chats.values()].map(async (chatUpdates) => {
      for (const update of chatUpdates) {
        if (signal.aborted) {
          notHandled.push(update.update_id);
          return;
        }
        try {
          await handle(update);
        } catch (error) {
          notHandled.push(update.update_id);
          failure ??= { updateId: update.update_id, error };
          return;
        }
      }
    }),
  );
  const ids = (list: unknown[]): number[] => list.filter((id): id is number => Number.isSafeInteger(id));
  const stoppedAt = ids(notHandled);
  if (stoppedAt.length > 0) return { nextOffset: Math.min(...stoppedAt), ...(failure ? { failure } : {}) };
  const all = ids(updates.map((u) => u.update_id));
  return { nextOffset: all.length > 0 ? Math.max(...all) + 1 : undefined, ...(failure ? { failure } : {}) };
}

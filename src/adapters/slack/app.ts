import { App, type AnyMiddlewareArgs, type Authorize, type Middleware } from '@slack/bolt';
import type { Config } from '../../config/env.ts';
import { OverloadedError } from '../../errors.ts';
import type { HttpServer } from '../../http/server.ts';
import type { Logger } from '../../observability/logger.ts';
import { SlackHttpReceiver, SlackListenerError, type SlackReceiverOptions } from './receiver.ts';
import { boltLogger, createSlackClient, webClientOptions, type SlackClient } from './send.ts';

// The Bolt app and how Slack reaches it: our own receiver (receiver.ts) mounted on our HTTP server
// at POST /slack/events, or Socket Mode when an app token is set. Nothing here knows what the
// events mean.

export const SLACK_EVENTS_PATH = '/slack/events';
/** Slack's own payloads stay far below this; bigger bodies get 413 before any parsing. */
export const SLACK_BODY_LIMIT = 1024 * 1024;

export type SlackConfig = NonNullable<Config['slack']>;

export interface SlackApp {
  app: App;
  /** Present over HTTP; `mount` routes POST /slack/events to it. */
  receiver: SlackHttpReceiver | undefined;
  /** For senders: no retries of its own, 429 thrown at once (the outbox retries). */
  client: SlackClient;
  /** The bot's own ids, from auth.test (cached once it succeeded). */
  identity(): Promise<{ botUserId?: string; botId?: string }>;
  mount(http: HttpServer): void;
  start(): Promise<void>;
  stop(): Promise<void>;
}

export interface SlackAppOptions {
  /** Where a signed payload nothing can process is recorded before it is acknowledged. */
  recordUnprocessable: SlackReceiverOptions['recordUnprocessable'];
  /** The receiver's clock (signature timestamps); tests inject one. */
  now?: () => number;
}

export function createSlackApp(slack: SlackConfig, logger: Logger, options: SlackAppOptions): SlackApp {
  const client = createSlackClient({ token: slack.botToken, apiUrl: slack.apiUrl, logger });
  const identity = memoizedIdentity(client, logger);
  // The bot token is fixed; auth.test runs once, lazily (no network at construction), and a
  // failed auth.test never stops an event: ids are only needed to ignore our own messages.
  const authorize: Authorize<boolean> = async () => ({ botToken: slack.botToken, ...(await identity()) });
  const clientOptions = { ...webClientOptions({ apiUrl: slack.apiUrl, logger }), retryConfig: { retries: 1 } };
  const socketMode = slack.appToken !== undefined;
  let receiver: SlackHttpReceiver | undefined;
  let app: App;
  if (socketMode) {
    app = new App({ appToken: slack.appToken, socketMode: true, authorize, clientOptions, logger: boltLogger(logger) });
  } else {
    if (slack.signingSecret === undefined) throw new Error('SLACK_SIGNING_SECRET is required for Slack over HTTP');
    receiver = new SlackHttpReceiver({
      signingSecret: slack.signingSecret,
      bodyLimitBytes: SLACK_BODY_LIMIT,
      logger,
      recordUnprocessable: options.recordUnprocessable,
      ...(options.now ? { now: options.now } : {}),
    });
    app = new App({ receiver, authorize, clientOptions, logger: boltLogger(logger) });
  }
  // Failures of our listeners leave Bolt wrapped in SlackListenerError, so the receiver can tell
  // them (500/503: Slack retries) from a payload Bolt itself could not read (acknowledged and
  // recorded). An overload is expected under a spike: the receiver reports it, once, as a warning.
  app.error(async (error) => {
    if (!(error instanceof OverloadedError)) logger.error({ err: error.message, code: error.code }, 'slack handler failed');
    throw new SlackListenerError(error);
  });
  let started = false;
  return {
    app,
    receiver,
    client,
    identity,
    mount(http) {
      if (receiver === undefined) return;
      http.addRoute({ method: 'POST', path: SLACK_EVENTS_PATH, handler: receiver.handle });
    },
    async start() {
      if (socketMode && !started) {
        await app.start();
        started = true;
      }
    },
    async stop() {
      if (socketMode && started) {
        await app.stop();
        started = false;
      }
    },
  };
}

function memoizedIdentity(client: SlackClient, logger: Logger): () => Promise<{ botUserId?: string; botId?: string }> {
  let known: { botUserId?: string; botId?: string } | undefined;
  let pending: Promise<{ botUserId?: string; botId?: string }> | undefined;
  return async () => {
    if (known !== undefined) return known;
    pending ??= client.auth
      .test()
      .then((r) => {
        known = {};
        if (typeof r.user_id === 'string') known.botUserId = r.user_id;
        if (typeof r.bot_id === 'string') known.botId = r.bot_id;
        return known;
      })
      .catch((error: unknown) => {
        logger.warn({ err: error instanceof Error ? error.message : String(error) }, 'slack auth.test failed; will retry on the next event');
        return {};
      })
      .finally(() => {
        pending = undefined;
      });
    return pending;
  };
}

/**
 * Slack redelivers an event (same `event_id`, `X-Slack-Retry-Num`) when our answer was slow or
 * failed. The core is idempotent on platform message ids anyway; this drops a redelivery before
 * it costs anything. An event is forgotten again when its handling failed, so Slack's retry of a
 * failure is processed.
 */
export function dedupeEvents(logger: Logger, capacity = 5000): Middleware<AnyMiddlewareArgs> {
  const seen = new Set<string>();
  return async ({ body, next, context }) => {
    const eventId = (body as { type?: unknown; event_id?: unknown }).type === 'event_callback'
      ? (body as { event_id?: unknown }).event_id
      : undefined;
    if (typeof eventId !== 'string') return next();
    if (seen.has(eventId)) {
      logger.debug({ eventId, retryNum: context.retryNum, retryReason: context.retryReason }, 'slack redelivery ignored');
      return;
    }
    seen.add(eventId);
    if (seen.size > capacity) seen.delete(seen.values().next().value as string);
    try {
      await next();
    } catch (error) {
      seen.delete(eventId);
      throw error;
    }
  };
}

import type { IncomingMessage, ServerResponse } from 'node:http';
import type { PrismaClient } from '@prisma/client';
import { z } from 'zod';
import type { RawHandler, WebhookRoute } from '../../core/channel-adapter.ts';
import type { CoreApi } from '../../core/ports.ts';
import { OverloadedError } from '../../errors.ts';
import { readBodyWithin } from '../../http/request-body.ts';
import type { Clock } from '../../observability/clock.ts';
import type { Logger } from '../../observability/logger.ts';
import { LiveFeed, writeEvent } from './live-feed.ts';
import type { OriginPolicy } from './origin-policy.ts';
import { TokenBuckets, WEB_LIMITS } from './request-limits.ts';
import { bearerToken, type Visitor, type VisitorSessions } from './visitor-sessions.ts';
import { customerMessage, platformIdOf, recentMessages, WEB_CHANNEL } from './web-message.ts';

// The widget's HTTP API under /web (the protocol the widget in ./widget speaks):
//   POST /web/session   open or resume a visitor: { token?, userId?, userHash?, name?, locale? }
//   GET  /web/events    Server-Sent Events: `history` first (the catch-up), then each `message`
//   POST /web/messages  { clientMessageId, text }: stored before 200; the same id again is a no-op
//   POST /web/actions   { clientEventId, action }: a button press, deduped the same way
// Answers: 400 malformed · 401 unknown token / identity that does not verify · 403 a site not in
// WEB_ALLOWED_ORIGINS · 413 too big · 429 rate limited and 503 overloaded or not started, both with
// Retry-After (the widget keeps the message and sends it again, with the same id).

/** The longest message the widget takes; the core would cut longer ones (MAX_TEXT_CHARS) anyway. */
export const MAX_MESSAGE_CHARS = 4_000;
/** A JSON body of the widget is one message: 4 000 characters of Chinese are 12 KB of UTF-8. */
const MAX_BODY_BYTES = 16 * 1024;
/** What a refused request is told to wait while the desk is not accepting work. */
const NOT_ACCEPTING_RETRY_SECONDS = 5;

const CLIENT_ID = z.string().regex(/^[A-Za-z0-9_-]{8,64}$/);
const SessionRequest = z.object({
  token: z.string().max(200).optional().nullable(),
  userId: z.string().max(200).optional(),
  userHash: z.string().max(200).optional(),
  name: z.string().max(200).optional(),
  locale: z.string().max(20).optional(),
});
const MessageRequest = z.object({ clientMessageId: CLIENT_ID, text: z.string() });
const ActionRequest = z.object({ clientEventId: CLIENT_ID, action: z.string().min(1).max(500) });

export interface WebRouteDeps {
  core: CoreApi;
  prisma: PrismaClient;
  sessions: VisitorSessions;
  origins: OriginPolicy;
  feed: LiveFeed;
  clock: Clock;
  logger: Logger;
  accepting: () => boolean;
  /**
   * How often an open page is sent its history again, when other processes may send its replies
   * (a shared PostgreSQL): their sends reach only their own pages. Undefined: never.
   */
  resyncEveryMs?: number;
}

type Handler = (req: IncomingMessage, res: ServerResponse, cors: Record<string, string>) => Promise<void>;

export function webApiRoutes(deps: WebRouteDeps): WebhookRoute[] {
  const perIp = new TokenBuckets(WEB_LIMITS.requestsPerIp, deps.clock);
  const sessionsPerIp = new TokenBuckets(WEB_LIMITS.sessionsPerIp, deps.clock);
  const messagesPerVisitor = new TokenBuckets(WEB_LIMITS.messagesPerVisitor, deps.clock);
  const pressesPerVisitor = new TokenBuckets(WEB_LIMITS.pressesPerVisitor, deps.clock);

  /** Checks every request shares: started, an allowed site, the address's rate. */
  const guarded = (handle: Handler): RawHandler => async (req, res) => {
    const verdict = deps.origins.judge(req);
    const cors = deps.origins.corsHeaders(verdict);
    try {
      if (!verdict.allowed) return json(res, 403, { error: 'origin_not_allowed' }, cors);
      if (!deps.accepting()) return json(res, 503, { error: 'not_ready' }, { ...cors, 'retry-after': String(NOT_ACCEPTING_RETRY_SECONDS) });
      const wait = perIp.take(addressOf(req));
      if (wait > 0) return tooMany(res, wait, cors);
      await handle(req, res, cors);
    } catch (error) {
      if (error instanceof OverloadedError) return json(res, 503, { error: 'overloaded' }, { ...cors, 'retry-after': error.retryAfterHeader });
      deps.logger.error({ err: error, path: new URL(req.url ?? '/', 'http://x').pathname }, 'web chat request failed; the widget will retry');
      json(res, 500, { error: 'internal_error' }, cors);
    }
  };

  /** The visitor of the request's token, or a 401 already answered. */
  const visitorOf = async (req: IncomingMessage, res: ServerResponse, cors: Record<string, string>): Promise<Visitor | undefined> => {
    const token = bearerToken(req.headers.authorization);
    const visitor = token === undefined ? undefined : await deps.sessions.visitorOf(token);
    if (visitor === undefined) json(res, 401, { error: 'invalid_token' }, cors);
    return visitor;
  };

  const session: Handler = async (req, res, cors) => {
    const body = await readJson(req, res, SessionRequest, cors);
    if (body === undefined) return;
    const wait = sessionsPerIp.take(addressOf(req));
    if (wait > 0) return tooMany(res, wait, cors);
    const identity = body.userId !== undefined ? { userId: body.userId, userHash: body.userHash ?? '' } : undefined;
    const opened = await deps.sessions.open({
      ...(body.token ? { token: body.token } : {}),
      ...(identity ? { identity } : {}),
      ...(body.name?.trim() ? { displayName: body.name.trim() } : {}),
      ...(body.locale ? { locale: body.locale } : {}),
    });
    if (!opened.ok) {
      deps.logger.warn('web chat: a page gave a user id whose hash does not verify (check WEB_IDENTITY_SECRET on the site and here)');
      return json(res, 401, { error: 'identity_invalid' }, cors);
    }
    const messages = await recentMessages(deps.prisma, opened.visitor.visitorId);
    json(res, 200, { token: opened.token, visitorId: opened.visitor.visitorId, verified: opened.verified, messages }, cors);
  };

  /**
   * What a visitor's POST shares: the visitor of its token (else 401), its body (else 400/413), and
   * the visitor's rate (else 429, after the checks, so a malformed request costs the bucket nothing).
   */
  const visitorRequest = async <T>(
    req: IncomingMessage,
    res: ServerResponse,
    cors: Record<string, string>,
    schema: z.ZodType<T>,
    check: (body: T) => { status: number; error: Record<string, unknown> } | undefined,
    buckets: TokenBuckets,
  ): Promise<{ visitor: Visitor; body: T } | undefined> => {
    const visitor = await visitorOf(req, res, cors);
    if (visitor === undefined) return undefined;
    const body = await readJson(req, res, schema, cors);
    if (body === undefined) return undefined;
    const problem = check(body);
    if (problem !== undefined) return void json(res, problem.status, problem.error, cors);
    const wait = buckets.take(visitor.visitorId);
    if (wait > 0) return void tooMany(res, wait, cors);
    return { visitor, body };
  };

  const messages: Handler = async (req, res, cors) => {
    const taken = await visitorRequest(req, res, cors, MessageRequest, messageProblem, messagesPerVisitor);
    if (taken === undefined) return;
    const { visitor, body } = taken;
    const text = body.text.trim();
    const stored = await deps.core.handleInbound({
      channel: WEB_CHANNEL,
      externalUserId: visitor.visitorId,
      externalChatId: visitor.visitorId,
      platformMessageId: platformIdOf(visitor.visitorId, body.clientMessageId),
      text,
      sentAt: new Date(deps.clock.now()),
      sender: { ...(visitor.displayName ? { displayName: visitor.displayName } : {}), ...(visitor.locale ? { language: visitor.locale } : {}) },
    });
    json(res, 200, { message: customerMessage(body.clientMessageId, text, new Date(deps.clock.now())), duplicate: stored.duplicate }, cors);
  };

  const actions: Handler = async (req, res, cors) => {
    const taken = await visitorRequest(req, res, cors, ActionRequest, () => undefined, pressesPerVisitor);
    if (taken === undefined) return;
    const { visitor, body } = taken;
    const stored = await deps.core.handleAction({
      channel: WEB_CHANNEL,
      externalUserId: visitor.visitorId,
      externalChatId: visitor.visitorId,
      action: body.action,
      platformEventId: platformIdOf(visitor.visitorId, `press-${body.clientEventId}`),
    });
    json(res, 200, { ok: true, duplicate: stored.duplicate }, cors);
  };

  const events: Handler = async (req, res, cors) => {
    const visitor = await visitorOf(req, res, cors);
    if (visitor === undefined) return;
    const room = deps.feed.room(visitor.visitorId);
    if (room === 'visitor_full') return tooMany(res, 10_000, cors);
    if (room === 'full') return json(res, 503, { error: 'overloaded' }, { ...cors, 'retry-after': '10' });
    res.writeHead(200, {
      ...cors,
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store',
      'x-accel-buffering': 'no',
    });
    // Joined before the history is read: a reply sent meanwhile is written twice at worst (the
    // widget merges by id), never missed.
    deps.feed.join(visitor.visitorId, res);
    const sendHistory = async (): Promise<void> => {
      writeEvent(res, { event: 'history', data: { messages: await recentMessages(deps.prisma, visitor.visitorId) } });
    };
    await sendHistory();
    if (deps.resyncEveryMs !== undefined) resyncWhileOpen(res, deps.clock, deps.resyncEveryMs, sendHistory, deps.logger);
  };

  const preflight: RawHandler = (req, res) => deps.origins.preflight(req, res);
  return [
    { method: 'POST', path: '/web/session', handler: guarded(session) },
    { method: 'POST', path: '/web/messages', handler: guarded(messages) },
    { method: 'POST', path: '/web/actions', handler: guarded(actions) },
    { method: 'GET', path: '/web/events', handler: guarded(events) },
    ...['/web/session', '/web/messages', '/web/actions', '/web/events'].map((path) => ({ method: 'OPTIONS' as const, path, handler: preflight })),
  ];
}

/** A message the widget should not have sent: empty once trimmed, or longer than MAX_MESSAGE_CHARS. */
function messageProblem(body: { text: string }): { status: number; error: Record<string, unknown> } | undefined {
  const text = body.text.trim();
  if (text === '') return { status: 400, error: { error: 'empty_message' } };
  if ([...text].length > MAX_MESSAGE_CHARS) return { status: 413, error: { error: 'message_too_long', maxChars: MAX_MESSAGE_CHARS } };
  return undefined;
}

function resyncWhileOpen(res: ServerResponse, clock: Clock, everyMs: number, sendHistory: () => Promise<void>, logger: Logger): void {
  let timer: unknown;
  const tick = (): void => {
    if (res.writableEnded || res.destroyed) return;
    sendHistory()
      .catch((error: unknown) => logger.warn({ err: error }, 'web chat: could not read a visitor\'s history again'))
      .finally(() => {
        if (!res.writableEnded && !res.destroyed) timer = clock.setTimeout(tick, everyMs);
      });
  };
  timer = clock.setTimeout(tick, everyMs);
  res.once('close', () => clock.clearTimeout(timer));
}

async function readJson<T>(req: IncomingMessage, res: ServerResponse, schema: z.ZodType<T>, cors: Record<string, string>): Promise<T | undefined> {
  const read = await readBodyWithin(req, MAX_BODY_BYTES);
  if (!read.ok) {
    if (read.reason === 'too_large') json(res, 413, { error: 'body_too_large' }, cors);
    return undefined;
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(read.bytes.toString('utf8'));
  } catch {
    json(res, 400, { error: 'invalid_json' }, cors);
    return undefined;
  }
  const result = schema.safeParse(parsed);
  if (!result.success) {
    json(res, 400, { error: 'invalid_request', fields: [...new Set(result.error.issues.map((i) => String(i.path[0] ?? 'body')))] }, cors);
    return undefined;
  }
  return result.data;
}

function json(res: ServerResponse, status: number, body: unknown, headers: Record<string, string>): void {
  if (res.headersSent || res.destroyed) return;
  res.writeHead(status, { ...headers, 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' }).end(JSON.stringify(body));
}

function tooMany(res: ServerResponse, waitMs: number, cors: Record<string, string>): void {
  json(res, 429, { error: 'rate_limited' }, { ...cors, 'retry-after': String(Math.max(1, Math.ceil(waitMs / 1000))) });
}

function addressOf(req: IncomingMessage): string {
  return req.socket.remoteAddress ?? 'unknown';
}

import type { IncomingMessage, ServerResponse } from 'node:http';
import type { App, Receiver, ReceiverEvent } from '@slack/bolt';
import { OverloadedError } from '../../errors.ts';
import type { Logger } from '../../observability/logger.ts';
import { readBodyWithin } from '../../http/request-body.ts';
import { formFields, mediaType, parseSlackBody, retryNumOf, retryReasonOf } from './request-body.ts';
import { verifySlackSignature } from './verify.ts';

// Slack over HTTP, on our own server: Bolt's `Receiver` port (init/start/stop, then
// `app.processEvent`) with the rules that keep one request from hurting the desk: the body is cut
// at a byte limit, the signature is checked before anything is parsed, only JSON objects reach
// Bolt, the answer waits for the listeners (store before ack) and every request gets one — 500 or
// 503 when the message was not stored, so Slack delivers it again.

export interface SlackReceiverOptions {
  signingSecret: string;
  bodyLimitBytes: number;
  logger: Logger;
  /** Milliseconds since the epoch; tests pass their own clock. */
  now?: () => number;
  /**
   * Records a signed, well-formed delivery that can never be processed (Bolt could not make sense
   * of it, or no listener took it), so it is acknowledged instead of redelivered for ever.
   */
  recordUnprocessable(rejected: { reason: string; platformEventId?: string; raw: unknown }): Promise<void>;
}

/** What a listener threw, as it left Bolt's error handler (see app.ts): a failure of ours, not of the payload. */
export class SlackListenerError extends Error {
  constructor(readonly original: unknown) {
    super(original instanceof Error ? original.message : String(original), { cause: original });
    this.name = 'SlackListenerError';
  }
}

interface Answer {
  status: number;
  headers?: Record<string, string>;
  body?: string;
}

const JSON_HEADERS = { 'content-type': 'application/json; charset=utf-8' };
const errorAnswer = (status: number, error: string, headers: Record<string, string> = {}): Answer =>
  ({ status, headers: { ...JSON_HEADERS, ...headers }, body: JSON.stringify({ error }) });

export class SlackHttpReceiver implements Receiver {
  private app: App | undefined;
  private readonly now: () => number;

  constructor(private readonly options: SlackReceiverOptions) {
    this.now = options.now ?? Date.now;
  }

  init(app: App): void {
    this.app = app;
  }

  /** Our HTTP server is started by the process, not by Bolt: nothing to do. */
  async start(): Promise<void> {}

  async stop(): Promise<void> {}

  /** The route handler for POST /slack/events. Never throws; answers every request once. */
  readonly handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    let answer: Answer;
    try {
      answer = await this.answer(req);
    } catch (error) {
      this.options.logger.error({ err: messageOf(error) }, 'slack request failed unexpectedly');
      answer = errorAnswer(500, 'internal_error');
    }
    send(res, answer);
  };

  private async answer(req: IncomingMessage): Promise<Answer> {
    const { logger } = this.options;
    const read = await readBodyWithin(req, this.options.bodyLimitBytes);
    if (!read.ok) {
      if (read.reason === 'too_large') logger.warn({ limit: this.options.bodyLimitBytes }, 'slack request body over the limit');
      return { ...errorAnswer(413, 'body_too_large'), headers: { ...JSON_HEADERS, connection: 'close' } };
    }
    const contentType = req.headers['content-type'];
    // Slack's TLS check carries nothing to act on; like Bolt, it is answered without a signature.
    if (mediaType(contentType) === 'application/x-www-form-urlencoded' && formFields(read.bytes.toString('utf8')).ssl_check === '1') {
      return { status: 200 };
    }
    const verified = verifySlackSignature({
      signingSecret: this.options.signingSecret,
      rawBody: read.bytes,
      timestamp: req.headers['x-slack-request-timestamp'],
      signature: req.headers['x-slack-signature'],
      nowMs: this.now(),
    });
    if (!verified.ok) {
      logger.warn({ reason: verified.reason }, 'slack request refused: not signed by Slack');
      return errorAnswer(401, 'invalid_signature');
    }
    const parsed = parseSlackBody(read.bytes, contentType);
    if (!parsed.ok) {
      logger.warn({ reason: parsed.reason }, 'slack request refused: not a Slack payload');
      return errorAnswer(400, parsed.reason);
    }
    const { body } = parsed;
    if (body.type === 'url_verification') {
      return { status: 200, headers: JSON_HEADERS, body: JSON.stringify({ challenge: typeof body.challenge === 'string' ? body.challenge : '' }) };
    }
    return this.dispatch(body, retryNumOf(req.headers['x-slack-retry-num']), retryReasonOf(req.headers['x-slack-retry-reason']));
  }

  /** Runs Bolt's listeners to the end, then answers with what `ack()` was given (processBeforeResponse). */
  private async dispatch(body: Record<string, unknown>, retryNum: number | undefined, retryReason: string | undefined): Promise<Answer> {
    const app = this.app;
    if (app === undefined) return errorAnswer(503, 'not_ready', { 'retry-after': '1' });
    let acknowledged = false;
    let response: unknown;
    const event: ReceiverEvent = {
      body,
      ack: async (given?: unknown) => {
        // A second ack is a bug in a listener; the first answer stands.
        if (acknowledged) return;
        acknowledged = true;
        response = given;
      },
    };
    if (retryNum !== undefined) event.retryNum = retryNum;
    if (retryReason !== undefined) event.retryReason = retryReason;
    try {
      await app.processEvent(event);
    } catch (error) {
      return this.failed(error, body);
    }
    if (!acknowledged) return this.unprocessable(body, 'no listener took it');
    return contentAnswer(response);
  }

  private async failed(error: unknown, body: Record<string, unknown>): Promise<Answer> {
    if (!(error instanceof SlackListenerError)) {
      // Bolt threw before any listener ran: it cannot read this payload, and never will.
      this.options.logger.warn({ err: messageOf(error) }, 'slack payload Bolt could not process');
      return this.unprocessable(body, 'unreadable payload');
    }
    const overloaded = findOverloaded(error.original);
    if (overloaded !== undefined) {
      this.options.logger.warn({ retryAfterMs: overloaded.retryAfterMs }, 'slack event not stored: desk overloaded, Slack will retry');
      return errorAnswer(503, 'overloaded', { 'retry-after': overloaded.retryAfterHeader });
    }
    // Logged by the app's error handler already; Slack retries a 500.
    return errorAnswer(500, 'handler_failed');
  }

  private async unprocessable(body: Record<string, unknown>, reason: string): Promise<Answer> {
    const eventId = typeof body.event_id === 'string' ? body.event_id : undefined;
    try {
      await this.options.recordUnprocessable({ reason, raw: body, ...(eventId !== undefined ? { platformEventId: eventId } : {}) });
    } catch (error) {
      const overloaded = findOverloaded(error);
      this.options.logger.warn({ err: messageOf(error) }, 'slack: could not record an unprocessable payload');
      return overloaded !== undefined
        ? errorAnswer(503, 'overloaded', { 'retry-after': overloaded.retryAfterHeader })
        : errorAnswer(500, 'internal_error');
    }
    this.options.logger.warn({ reason, eventId }, 'slack payload acknowledged and recorded as rejected');
    return { status: 200 };
  }
}

/** The answer Slack gets for what a listener passed to `ack()` (Bolt's buildContentResponse). */
function contentAnswer(response: unknown): Answer {
  if (response === undefined || response === null || response === '') return { status: 200 };
  if (typeof response === 'string') return { status: 200, body: response };
  return { status: 200, headers: JSON_HEADERS, body: JSON.stringify(response) };
}

/** An OverloadedError anywhere in what Bolt rethrew (its wrappers keep `original(s)`; ours keep `cause`). */
function findOverloaded(error: unknown, depth = 0): OverloadedError | undefined {
  if (error instanceof OverloadedError) return error;
  if (depth > 5 || typeof error !== 'object' || error === null) return undefined;
  const e = error as { original?: unknown; originals?: unknown; cause?: unknown };
  const inner = [e.original, e.cause, ...(Array.isArray(e.originals) ? e.originals : [])];
  for (const candidate of inner) {
    const found = findOverloaded(candidate, depth + 1);
    if (found !== undefined) return found;
  }
  return undefined;
}

function send(res: ServerResponse, answer: Answer): void {
  if (res.headersSent || res.destroyed) return;
  res.writeHead(answer.status, answer.headers);
  res.end(answer.body);
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

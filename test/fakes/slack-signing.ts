/**
 * Play Slack's side of inbound requests: sign bodies the way Slack does
 * (`v0=` + hex HMAC-SHA256 of `v0:{timestamp}:{raw body}`) and POST them to our server.
 */
import { createHmac } from 'node:crypto';
import { request, type IncomingHttpHeaders } from 'node:http';
import { Readable } from 'node:stream';
import { eventCallback } from '../fixtures/slack/events.ts';
import {
  blockActionsPayload, messageActionPayload, slashCommandFields, viewSubmissionPayload,
  type BlockActionsOptions, type MessageActionOptions, type SlashCommandOptions, type ViewSubmissionOptions,
} from '../fixtures/slack/interactions.ts';

export const FORM = 'application/x-www-form-urlencoded';
export const JSON_TYPE = 'application/json';

export interface SlackSignedHeaders {
  'x-slack-request-timestamp': string;
  'x-slack-signature': string;
  'content-type': string;
}

/** Bodies starting with `{` are JSON (Events API); everything else is a form (commands, interactivity). */
function guessContentType(body: string): string {
  return body.trimStart().startsWith('{') ? JSON_TYPE : FORM;
}

export function slackSignature(body: string, signingSecret: string, timestamp: number): string {
  return `v0=${createHmac('sha256', signingSecret).update(`v0:${timestamp}:${body}`).digest('hex')}`;
}

export function signSlackRequest(o: {
  body: string;
  signingSecret: string;
  /** Unix seconds; default now. */
  timestamp?: number;
  contentType?: string;
}): SlackSignedHeaders {
  const timestamp = o.timestamp ?? Math.floor(Date.now() / 1000);
  return {
    'x-slack-request-timestamp': String(timestamp),
    'x-slack-signature': slackSignature(o.body, o.signingSecret, timestamp),
    'content-type': o.contentType ?? guessContentType(o.body),
  };
}

/** JSON body of an `event_callback` (see fixtures/slack/events.ts for the inner events). */
export function eventCallbackBody(o: { eventId: string; event: unknown; teamId?: string; apiAppId?: string; eventTime?: number }): string {
  return JSON.stringify(eventCallback(o));
}

export function urlVerificationBody(challenge: string): string {
  return JSON.stringify({ token: 'deprecated-verification-token', challenge, type: 'url_verification' });
}

export function slashCommandBody(o: SlashCommandOptions): string {
  return new URLSearchParams(slashCommandFields(o)).toString();
}

/** Interactivity bodies: one form field `payload` holding the JSON. */
export function interactivityBody(payload: unknown): string {
  return new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
}

export function blockActionsBody(o: BlockActionsOptions): string {
  return interactivityBody(blockActionsPayload(o));
}

export function messageActionBody(o: MessageActionOptions): string {
  return interactivityBody(messageActionPayload(o));
}

export function viewSubmissionBody(o: ViewSubmissionOptions): string {
  return interactivityBody(viewSubmissionPayload(o));
}

export interface PostSignedOptions {
  signingSecret: string;
  contentType?: string;
  timestamp?: number;
  /** Extra or overriding headers, e.g. `x-slack-retry-num`, or a forged signature. */
  headers?: Record<string, string>;
}

/** POSTs `body` signed as Slack would; `{ status, text, headers }` of the answer. */
export async function postSigned(url: string, body: string, o: PostSignedOptions): Promise<{
  status: number; text: string; headers: Headers;
}> {
  const signed = signSlackRequest({ body, signingSecret: o.signingSecret, timestamp: o.timestamp, contentType: o.contentType });
  const res = await fetch(url, {
    method: 'POST',
    headers: { ...signed, 'user-agent': 'Slackbot 1.0 (+https://api.slack.com/robots)', ...o.headers },
    body,
  });
  return { status: res.status, text: await res.text(), headers: res.headers };
}

/**
 * POSTs `body` signed as Slack would, but streamed in chunks with `Transfer-Encoding: chunked` and
 * no Content-Length: the way round a limit that only looks at the header. Resolves with the
 * answer even when the server stops reading and closes early (that is what a limit does).
 */
export function postSignedChunked(url: string, body: string, o: PostSignedOptions & { chunkBytes?: number }): Promise<{
  status: number; text: string; headers: IncomingHttpHeaders; sentBytes: number;
}> {
  const signed = signSlackRequest({ body, signingSecret: o.signingSecret, timestamp: o.timestamp, contentType: o.contentType });
  const bytes = Buffer.from(body);
  const size = o.chunkBytes ?? 64 * 1024;
  let sentBytes = 0;
  function* chunks(): Generator<Buffer> {
    for (let at = 0; at < bytes.length; at += size) {
      const chunk = bytes.subarray(at, at + size);
      sentBytes += chunk.length;
      yield chunk;
    }
  }
  return new Promise((resolve, reject) => {
    let answered = false;
    const req = request(url, { method: 'POST', headers: { ...signed, ...o.headers } }, (res) => {
      answered = true;
      const parts: Buffer[] = [];
      res.on('data', (part: Buffer) => parts.push(part));
      res.on('error', reject);
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(parts).toString('utf8'), headers: res.headers, sentBytes }));
    });
    // Once the server has answered, a broken pipe on the rest of the upload is expected.
    req.on('error', (error) => {
      if (!answered) reject(error);
    });
    if (req.getHeader('content-length') !== undefined) reject(new Error('a chunked request must not carry Content-Length'));
    const source = Readable.from(chunks());
    source.on('error', () => undefined);
    source.pipe(req);
  });
}

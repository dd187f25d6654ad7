import type { Readable } from 'node:stream';

// What a Slack request body is before Bolt sees it: bytes read under a limit, then a JSON object
// (Events API, or the `payload` field of an interaction) or the fields of a form (slash commands).
// Anything else is refused here with a reason, so nothing downstream ever meets `null`, an array
// or a nesting deep enough to blow a recursive walker's stack.

/** Slack's own payloads nest about a dozen levels (Block Kit views); far more is an attack. */
export const MAX_SLACK_JSON_DEPTH = 64;

export type BodyRead = { ok: true; bytes: Buffer } | { ok: false; reason: 'too_large' | 'aborted' };

/**
 * Reads a request body, counting the bytes actually received: a chunked body (no Content-Length)
 * or a lying Content-Length is cut off at the limit like an honest one. Never rejects.
 */
export function readBodyWithin(req: Readable & { headers?: Record<string, unknown> }, limitBytes: number): Promise<BodyRead> {
  const declared = Number(req.headers?.['content-length']);
  return new Promise((resolve) => {
    let settled = false;
    const finish = (result: BodyRead): void => {
      if (settled) return;
      settled = true;
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
      req.off('aborted', onAborted);
      // Whatever is left is read and dropped, so the client gets our answer instead of a reset.
      if (!result.ok) req.on('error', () => undefined).resume();
      resolve(result);
    };
    const chunks: Buffer[] = [];
    let received = 0;
    const onData = (chunk: Buffer | string): void => {
      const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
      received += bytes.length;
      if (received > limitBytes) return finish({ ok: false, reason: 'too_large' });
      chunks.push(bytes);
    };
    const onEnd = (): void => finish({ ok: true, bytes: Buffer.concat(chunks, received) });
    const onError = (): void => finish({ ok: false, reason: 'aborted' });
    const onAborted = (): void => finish({ ok: false, reason: 'aborted' });
    if (Number.isFinite(declared) && declared > limitBytes) {
      finish({ ok: false, reason: 'too_large' });
      return;
    }
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onError);
    req.on('aborted', onAborted);
  });
}

/**
 * The deepest nesting of `{`/`[` in a JSON text, counted without parsing (so without recursion);
 * stops counting once past `stopAbove`.
 */
export function jsonNestingDepth(text: string, stopAbove = Number.POSITIVE_INFINITY): number {
  let depth = 0;
  let deepest = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c /* \ */) i++;
      else if (c === 0x22 /* " */) inString = false;
    } else if (c === 0x22) {
      inString = true;
    } else if (c === 0x7b /* { */ || c === 0x5b /* [ */) {
      depth++;
      if (depth > deepest) {
        deepest = depth;
        if (deepest > stopAbove) return deepest;
      }
    } else if (c === 0x7d /* } */ || c === 0x5d /* ] */) {
      depth--;
    }
  }
  return deepest;
}

export type ParsedSlackBody =
  | { ok: true; body: Record<string, unknown>; form: boolean }
  | { ok: false; reason: 'malformed_json' | 'not_a_json_object' | 'nested_too_deep' };

const FORM = 'application/x-www-form-urlencoded';

/** The media type of a Content-Type header, lower case, without parameters. */
export function mediaType(contentType: unknown): string {
  return typeof contentType === 'string' ? (contentType.split(';')[0] ?? '').trim().toLowerCase() : '';
}

/** Form fields (first value of each name): Slack never repeats a field. */
export function formFields(text: string): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const [name, value] of new URLSearchParams(text)) if (!(name in fields)) fields[name] = value;
  return fields;
}

/**
 * A Slack body as Bolt expects it: the JSON object of an event or an interaction's `payload`, or
 * the fields of a slash command form. Pure; never throws.
 */
export function parseSlackBody(bytes: Uint8Array, contentType: unknown): ParsedSlackBody {
  const text = Buffer.from(bytes).toString('utf8');
  if (mediaType(contentType) === FORM) {
    const fields = formFields(text);
    if (fields.payload === undefined) return { ok: true, body: fields, form: true };
    const payload = parseJsonObject(fields.payload);
    return payload.ok ? { ...payload, form: true } : payload;
  }
  const parsed = parseJsonObject(text);
  return parsed.ok ? { ...parsed, form: false } : parsed;
}

function parseJsonObject(text: string): { ok: true; body: Record<string, unknown> } | { ok: false; reason: 'malformed_json' | 'not_a_json_object' | 'nested_too_deep' } {
  if (jsonNestingDepth(text, MAX_SLACK_JSON_DEPTH) > MAX_SLACK_JSON_DEPTH) return { ok: false, reason: 'nested_too_deep' };
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { ok: false, reason: 'malformed_json' };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return { ok: false, reason: 'not_a_json_object' };
  return { ok: true, body: value as Record<string, unknown> };
}

/** `X-Slack-Retry-Num` as a number, when it is one. */
export function retryNumOf(header: unknown): number | undefined {
  const value = Array.isArray(header) ? header[0] : header;
  return typeof value === 'string' && /^\d{1,6}$/.test(value) ? Number(value) : undefined;
}

/** `X-Slack-Retry-Reason` (e.g. `http_timeout`), when present and short. */
export function retryReasonOf(header: unknown): string | undefined {
  const value = Array.isArray(header) ? header[0] : header;
  return typeof value === 'string' && value !== '' ? value.slice(0, 100) : undefined;
}

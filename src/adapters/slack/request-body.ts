import { jsonNestingDepth } from '../../http/request-body.ts';

// What a Slack request body is before Bolt sees it: bytes read under a limit, then a JSON object
// (Events API, or the `payload` field of an interaction) or the fields of a form (slash commands).
// Anything else is refused here with a reason, so nothing downstream ever meets `null`, an array
// or a nesting deep enough to blow a recursive walker's stack.

/** Slack's own payloads nest about a dozen levels (Block Kit views); far more is an attack. */
export const MAX_SLACK_JSON_DEPTH = 64;

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

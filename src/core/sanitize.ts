// Customer text arrives from platforms we do not control. PostgreSQL refuses NUL in text and lone
// UTF-16 surrogates in jsonb, so one such character used to fail the store on every redelivery
// (a poison message the platform retried for hours). Everything a platform gives us is cleaned
// here before it is stored: the message is kept, the unstorable characters become U+FFFD.

const REPLACEMENT = '\uFFFD';

// NUL and the other C0/C1 controls except tab, line feed and carriage return (they also garble a
// founder's terminal), and the noncharacters U+FFFE/U+FFFF of every plane.
// eslint-disable-next-line no-control-regex
const UNSTORABLE = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F\uFFFE\uFFFF]|[\uD83F\uD87F\uD8BF\uD8FF\uD93F\uD97F\uD9BF\uD9FF\uDA3F\uDA7F\uDABF\uDAFF\uDB3F\uDB7F\uDBBF\uDBFF][\uDFFE\uDFFF]/g;

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/** The same text with lone surrogates, NUL, control characters and noncharacters replaced by U+FFFD. */
export function sanitizeText(text: string): string {
  return text.replace(LONE_SURROGATE, REPLACEMENT).replace(UNSTORABLE, REPLACEMENT);
}

/** Deeper than this, a platform payload is not a message but an attack on the parser. */
export const MAX_JSON_DEPTH = 32;
const TOO_DEEP = '[nested too deep]';

/**
 * A JSON value safe to store as jsonb: strings (and keys) sanitised, non-finite numbers and
 * non-JSON values dropped to null, nesting past MAX_JSON_DEPTH replaced by a marker.
 */
export function sanitizeJson(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return sanitizeText(value);
  if (typeof value === 'number') return Number.isFinite(value) ? value + 0 : null; // + 0: -0 is 0 in JSON
  if (typeof value === 'boolean' || value === null) return value;
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? null : value.toISOString();
  if (typeof value !== 'object') return null;
  if (depth >= MAX_JSON_DEPTH) return TOO_DEEP;
  if (Array.isArray(value)) return value.map((item) => sanitizeJson(item, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) {
    if (item === undefined) continue;
    out[sanitizeText(key)] = sanitizeJson(item, depth + 1);
  }
  return out;
}

/** How deeply a parsed JSON value nests (iterative: a hostile payload must not blow the stack). */
export function jsonDepth(value: unknown): number {
  let deepest = 0;
  const stack: Array<[unknown, number]> = [[value, 0]];
  while (stack.length > 0) {
    const [item, depth] = stack.pop()!;
    if (item === null || typeof item !== 'object') continue;
    deepest = Math.max(deepest, depth + 1);
    for (const child of Object.values(item)) stack.push([child, depth + 1]);
  }
  return deepest;
}

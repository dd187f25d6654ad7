import type { Config } from '../config/env.ts';

// The one place that knows the secrets' values. Redacting by key (logger.ts) misses a secret
// that travels inside a string: the Telegram token in a request URL inside an SDK's network
// error, a bearer header inside a Slack request error, a password inside a connection string.
// So every line the process writes through the logger, runCommand and the crash handlers is
// scrubbed by value here, whatever shape carried it.

export const REDACTED = '[redacted]';

const secrets = new Set<string>();
let plainPattern: RegExp | undefined;
let jsonPattern: RegExp | undefined;

/**
 * Adds values to scrub from now on (process-wide: several services in one test process add
 * theirs). Each value is also scrubbed in the forms it takes inside URLs and query strings.
 */
export function registerSecrets(values: Iterable<string | undefined>): void {
  let added = false;
  for (const value of values) {
    if (value === undefined || value === '') continue;
    for (const form of encodedForms(value)) {
      if (secrets.has(form)) continue;
      secrets.add(form);
      added = true;
    }
  }
  if (!added) return;
  // Inside JSON (a log line, an API body quoted in a message) a secret appears JSON-escaped.
  const escaped = new Set([...secrets].map((form) => JSON.stringify(form).slice(1, -1)));
  plainPattern = alternation(new Set([...secrets, ...escaped]));
  jsonPattern = alternation(escaped);
}

/** One regular expression for all forms, longest first so a form containing another is replaced whole. */
function alternation(forms: Set<string>): RegExp {
  const sorted = [...forms].sort((a, b) => b.length - a.length);
  return new RegExp(sorted.map(escapeRegExp).join('|'), 'g');
}

/** Text with every registered secret replaced by `[redacted]`. */
export function redactSecrets(text: string): string {
  return plainPattern === undefined ? text : text.replace(plainPattern, REDACTED);
}

/** The same for one serialised JSON line (the logger's output), where secrets are JSON-escaped. */
export function redactJsonLine(line: string): string {
  return jsonPattern === undefined ? line : line.replace(jsonPattern, REDACTED);
}

/** Config keys whose values are secrets; a new secret setting named like these is covered. */
const SECRET_KEY = /token|secret|password|api_?key|aes_?key/i;

/**
 * Every secret value in the loaded configuration: each string under a secret-looking key
 * (bot and app tokens, signing and webhook secrets, API keys, AES keys), and the password of
 * DATABASE_URL.
 */
export function secretsOf(config: Config): string[] {
  const found: string[] = [];
  const walk = (value: unknown, key: string): void => {
    if (typeof value === 'string') {
      if (SECRET_KEY.test(key)) found.push(value);
    } else if (Array.isArray(value)) {
      for (const item of value) walk(item, key);
    } else if (value !== null && typeof value === 'object') {
      for (const [k, v] of Object.entries(value)) walk(v, k);
    }
  };
  walk(config, '');
  found.push(...databasePassword(config.database.url));
  return found;
}

/** The password as written in the URL (percent-encoded) and as the driver sends it. */
function databasePassword(url: string | undefined): string[] {
  if (url === undefined) return [];
  try {
    const written = new URL(url).password;
    if (written === '') return [];
    return [written, decodeURIComponent(written)];
  } catch {
    return [];
  }
}

/** The value as it is, and as URLs, query strings and forms encode it (both hex cases). */
function encodedForms(value: string): string[] {
  const forms = new Set([value]);
  const add = (encoded: string): void => {
    forms.add(encoded);
    forms.add(encoded.replace(/%[0-9A-F]{2}/g, (h) => h.toLowerCase()));
  };
  try {
    add(encodeURIComponent(value));
    add(encodeURI(value));
  } catch {
    // a lone surrogate cannot be percent-encoded; the raw form is still scrubbed
  }
  add(new URLSearchParams({ v: value }).toString().slice(2));
  return [...forms];
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

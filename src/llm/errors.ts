import { NetworkError, PlatformApiError, RateLimitedError, SolodeskError } from '../errors.ts';

// What the LLM client throws: the shared error classes (errors.ts), plus a timeout the drafter
// tells apart from other network failures. Every message is built here from the status and the
// server's words with keys and URLs scrubbed, never copied from the SDK, whose errors can quote
// the request URL (a proxy's key in a query string) or a masked key ("Incorrect API key: sk-…").

/** The draft took longer than LLM_TIMEOUT_MS, retries included. */
export class LlmTimeoutError extends NetworkError {
  readonly timeoutMs: number;

  constructor(timeoutMs: number) {
    super(`the LLM server did not answer within ${timeoutMs} ms`);
    this.timeoutMs = timeoutMs;
  }
}

/** Any other failure of the LLM client: an answer with nothing to read, an SDK error of its own. */
export class LlmError extends SolodeskError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('llm_error', message, options);
  }
}

export { NetworkError, PlatformApiError, RateLimitedError };

/** Server text made safe for a message: no URLs, nothing shaped like a key, one short line. */
export function scrubServerText(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of secrets) if (secret !== '') out = out.split(secret).join('[redacted]');
  return out
    .replace(/\b[a-z][a-z0-9+.-]*:\/\/\S+/gi, '[url]')
    .replace(/\b(?:sk|key|api[_-]?key)[-_][A-Za-z0-9*_.-]{4,}/gi, '[key]')
    .replace(/\s+/g, ' ')
    .trim()
    .slice(0, 200);
}

import type { Readable } from 'node:stream';

// Request bodies of the webhook routes, read by us before any SDK sees them: the limit counts
// the bytes actually received, so a chunked body (no Content-Length) or a lying Content-Length is
// cut off like an honest one, and nesting is measured without recursion before anything parses.

/** What an oversized body may still send (read and dropped) before its connection is cut. */
const MAX_DISCARDED_BYTES = 8 * 1024 * 1024;

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
      // Whatever is left is read and dropped, so the client gets our answer instead of a reset;
      // a client that keeps sending past that is cut off.
      if (!result.ok) discardRest(req);
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

function discardRest(req: Readable): void {
  let discarded = 0;
  req.on('error', () => undefined);
  req.on('data', (chunk: Buffer) => {
    discarded += chunk.length;
    if (discarded > MAX_DISCARDED_BYTES) req.destroy();
  });
  req.resume();
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

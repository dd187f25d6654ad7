import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { readBodyWithin } from '../../src/http/request-body.ts';

// Reading a webhook body before any SDK sees it (Telegram and Slack): the limit counts bytes read.

/** A request stream that sends `chunks` and ends, with the headers given (none: chunked). */
function request(chunks: Buffer[], headers: Record<string, string> = {}): PassThrough & { headers: Record<string, string> } {
  const stream = Object.assign(new PassThrough(), { headers });
  for (const chunk of chunks) stream.write(chunk);
  stream.end();
  return stream;
}

describe('readBodyWithin', () => {
  it('reads a chunked body whole when it stays under the limit', async () => {
    const read = await readBodyWithin(request([Buffer.from('{"a":'), Buffer.from('1}')]), 100);
    expect(read).toEqual({ ok: true, bytes: Buffer.from('{"a":1}') });
  });

  it('cuts a chunked body (no Content-Length) at the bytes actually read', async () => {
    const chunk = Buffer.alloc(64 * 1024, 0x61);
    const read = await readBodyWithin(request(Array.from({ length: 32 }, () => chunk)), 1024 * 1024);
    expect(read).toEqual({ ok: false, reason: 'too_large' });
  });

  it('a body exactly at the limit is fine; one byte more is not', async () => {
    expect((await readBodyWithin(request([Buffer.alloc(10)]), 10)).ok).toBe(true);
    expect(await readBodyWithin(request([Buffer.alloc(11)]), 10)).toEqual({ ok: false, reason: 'too_large' });
  });

  it('a Content-Length that lies low does not help; one over the limit is refused before reading', async () => {
    expect(await readBodyWithin(request([Buffer.alloc(50)], { 'content-length': '5' }), 10)).toEqual({ ok: false, reason: 'too_large' });
    expect(await readBodyWithin(request([], { 'content-length': String(2 * 1024 * 1024) }), 1024)).toEqual({ ok: false, reason: 'too_large' });
  });

  it('a stream that fails is reported as aborted, not thrown', async () => {
    const stream = Object.assign(new PassThrough(), { headers: {} });
    const read = readBodyWithin(stream, 100);
    stream.destroy(new Error('socket hang up'));
    expect(await read).toEqual({ ok: false, reason: 'aborted' });
  });
});


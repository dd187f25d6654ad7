import { createHmac } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SLACK_TIMESTAMP_TOLERANCE_SECONDS, verifySlackSignature } from '../../../src/adapters/slack/verify.ts';
import { slackSignature } from '../../fakes/slack-signing.ts';

// The v0 signature check as a pure function: every case with a clock of the test's own.

const SECRET = '8f742231b10e8888abcd99yyyzzz85a5';
const NOW_MS = Date.UTC(2026, 11, 1, 12, 0, 0);
const NOW_S = Math.floor(NOW_MS / 1000);
const BODY = '{"type":"event_callback","event":{"type":"message","text":"hi"}}';

function check(o: { body?: string; timestamp?: unknown; signature?: unknown; secret?: string; nowMs?: number }) {
  const timestamp = o.timestamp ?? String(NOW_S);
  const body = o.body ?? BODY;
  return verifySlackSignature({
    signingSecret: SECRET,
    rawBody: body,
    timestamp,
    signature: 'signature' in o ? o.signature : slackSignature(body, o.secret ?? SECRET, Number(timestamp)),
    nowMs: o.nowMs ?? NOW_MS,
  });
}

describe('verifySlackSignature', () => {
  it('accepts what Slack signs, within five minutes either way', () => {
    expect(check({})).toEqual({ ok: true });
    expect(check({ timestamp: String(NOW_S - SLACK_TIMESTAMP_TOLERANCE_SECONDS) })).toEqual({ ok: true });
    expect(check({ timestamp: String(NOW_S + SLACK_TIMESTAMP_TOLERANCE_SECONDS) })).toEqual({ ok: true });
  });

  it('refuses stale and future timestamps (a future one was accepted before issue 11)', () => {
    expect(check({ timestamp: String(NOW_S - 301) })).toEqual({ ok: false, reason: 'stale_timestamp' });
    expect(check({ timestamp: String(NOW_S + 301) })).toEqual({ ok: false, reason: 'future_timestamp' });
    expect(check({ timestamp: String(NOW_S + 600) })).toEqual({ ok: false, reason: 'future_timestamp' });
  });

  it('refuses missing, malformed and forged headers with a reason, never an exception', () => {
    expect(check({ timestamp: '' })).toMatchObject({ reason: 'missing_timestamp' });
    expect(check({ timestamp: ['1', '2'] })).toMatchObject({ reason: 'missing_timestamp' });
    expect(check({ timestamp: '1e9' })).toMatchObject({ reason: 'malformed_timestamp' });
    expect(check({ timestamp: `${NOW_S}.5` })).toMatchObject({ reason: 'malformed_timestamp' });
    expect(check({ signature: undefined })).toMatchObject({ reason: 'missing_signature' });
    expect(check({ signature: `v1=${'0'.repeat(64)}` })).toMatchObject({ reason: 'malformed_signature' });
    expect(check({ signature: 'v0=abc' })).toMatchObject({ reason: 'malformed_signature' });
    expect(check({ secret: 'another-secret' })).toMatchObject({ reason: 'signature_mismatch' });
    expect(check({ nowMs: Number.NaN })).toMatchObject({ ok: false });
  });

  it('signs the bytes as received: a body with invalid UTF-8 still verifies, and a re-encoded one does not', () => {
    const bytes = Buffer.concat([Buffer.from('{"text":"'), Buffer.from([0xff, 0xfe]), Buffer.from('"}')]);
    const timestamp = String(NOW_S);
    const signature = `v0=${createHmacHex(`v0:${timestamp}:`, bytes)}`;
    expect(verifySlackSignature({ signingSecret: SECRET, rawBody: bytes, timestamp, signature, nowMs: NOW_MS })).toEqual({ ok: true });
    expect(verifySlackSignature({ signingSecret: SECRET, rawBody: bytes.toString('utf8'), timestamp, signature, nowMs: NOW_MS })).toMatchObject({ ok: false });
  });
});

describe('verifySlackSignature, properties', () => {
  it('never throws, whatever the headers, body and clock', () => {
    fc.assert(
      fc.property(fc.anything(), fc.anything(), fc.oneof(fc.string(), fc.uint8Array()), fc.double(), (timestamp, signature, rawBody, nowMs) => {
        const result = verifySlackSignature({ signingSecret: SECRET, rawBody, timestamp, signature, nowMs });
        expect(typeof result.ok).toBe('boolean');
      }),
    );
  });

  it('a correct signature within the window verifies; outside it, never', () => {
    fc.assert(
      fc.property(fc.string(), fc.integer({ min: -900, max: 900 }), (body, skew) => {
        const timestamp = NOW_S + skew;
        const result = verifySlackSignature({ signingSecret: SECRET, rawBody: body, timestamp: String(timestamp), signature: slackSignature(body, SECRET, timestamp), nowMs: NOW_MS });
        expect(result.ok).toBe(Math.abs(skew) <= SLACK_TIMESTAMP_TOLERANCE_SECONDS);
      }),
    );
  });

  it('any change to the body or the signature is refused', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 1 }), fc.nat(), fc.integer({ min: 1, max: 255 }), fc.boolean(), (body, at, flip, inSignature) => {
        const timestamp = String(NOW_S);
        const signature = `v0=${createHmacHex(`v0:${timestamp}:`, body)}`;
        let tamperedBody = Buffer.from(body);
        let tamperedSignature = signature;
        if (inSignature) {
          const i = 3 + (at % 64);
          const digit = Number.parseInt(signature[i]!, 16);
          tamperedSignature = signature.slice(0, i) + ((digit + (flip % 15) + 1) % 16).toString(16) + signature.slice(i + 1);
        } else {
          tamperedBody = Buffer.from(body);
          const i = at % body.length;
          tamperedBody[i] = tamperedBody[i]! ^ flip;
        }
        const result = verifySlackSignature({ signingSecret: SECRET, rawBody: tamperedBody, timestamp, signature: tamperedSignature, nowMs: NOW_MS });
        expect(result).toEqual({ ok: false, reason: 'signature_mismatch' });
      }),
    );
  });
});

function createHmacHex(prefix: string, bytes: Uint8Array): string {
  return createHmac('sha256', SECRET).update(prefix).update(bytes).digest('hex');
}

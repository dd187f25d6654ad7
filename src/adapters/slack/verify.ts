import { createHmac, timingSafeEqual } from 'node:crypto';

// Slack's request signing (v0): `X-Slack-Signature: v0=<hex HMAC-SHA256 of "v0:{timestamp}:{raw
// body}">` with the app's signing secret. A pure function with the clock passed in, so every case
// (stale, future, forged) is a unit test; it never throws, whatever the headers hold.

/** Slack's own rule: a request more than five minutes from now either way is a replay. */
export const SLACK_TIMESTAMP_TOLERANCE_SECONDS = 5 * 60;

export type SlackSignatureFailure =
  | 'missing_timestamp'
  | 'malformed_timestamp'
  | 'stale_timestamp'
  | 'future_timestamp'
  | 'missing_signature'
  | 'malformed_signature'
  | 'signature_mismatch';

export type SlackSignatureCheck = { ok: true } | { ok: false; reason: SlackSignatureFailure };

export interface SlackSignedRequest {
  signingSecret: string;
  /** The body exactly as received: the signature covers these bytes, not a re-encoding. */
  rawBody: Uint8Array | string;
  /** `X-Slack-Request-Timestamp` as the HTTP layer gave it (a string, or anything else when absent or repeated). */
  timestamp: unknown;
  /** `X-Slack-Signature` as the HTTP layer gave it. */
  signature: unknown;
  /** Milliseconds since the epoch: the receiver's clock, injected. */
  nowMs: number;
  toleranceSeconds?: number;
}

const TIMESTAMP = /^\d{1,15}$/;
const SIGNATURE = /^v0=([0-9a-fA-F]{64})$/;

export function verifySlackSignature(request: SlackSignedRequest): SlackSignatureCheck {
  const { timestamp, signature } = request;
  if (typeof timestamp !== 'string' || timestamp === '') return { ok: false, reason: 'missing_timestamp' };
  if (!TIMESTAMP.test(timestamp)) return { ok: false, reason: 'malformed_timestamp' };
  const tolerance = request.toleranceSeconds ?? SLACK_TIMESTAMP_TOLERANCE_SECONDS;
  const ageSeconds = Math.floor(request.nowMs / 1000) - Number(timestamp);
  // NaN (a broken clock) fails both comparisons below, so it must be refused explicitly.
  if (!Number.isFinite(ageSeconds) || ageSeconds > tolerance) return { ok: false, reason: 'stale_timestamp' };
  if (ageSeconds < -tolerance) return { ok: false, reason: 'future_timestamp' };

  if (typeof signature !== 'string' || signature === '') return { ok: false, reason: 'missing_signature' };
  const hex = SIGNATURE.exec(signature)?.[1];
  if (hex === undefined) return { ok: false, reason: 'malformed_signature' };

  const expected = createHmac('sha256', request.signingSecret).update(`v0:${timestamp}:`).update(request.rawBody).digest();
  // Both sides are 32 bytes here, so the comparison takes the same time whatever differs.
  const given = Buffer.from(hex, 'hex');
  return timingSafeEqual(expected, given) ? { ok: true } : { ok: false, reason: 'signature_mismatch' };
}

import { describe, expect, it } from 'vitest';
import { BACKOFF_MAX_MS, backoffDelayMs, retryAfterMs } from '../../../../src/adapters/web/widget/backoff.ts';

describe('backoffDelayMs', () => {
  it('doubles from 1 s up to 30 s without jitter at the top of the range', () => {
    const top = (): number => 1;
    expect([0, 1, 2, 3, 4, 5, 6, 50, 10_000].map((attempt) => backoffDelayMs(attempt, top))).toEqual([
      1_000, 2_000, 4_000, 8_000, 16_000, 30_000, 30_000, 30_000, 30_000,
    ]);
  });

  it('jitters between half and all of the delay', () => {
    expect(backoffDelayMs(2, () => 0)).toBe(2_000);
    expect(backoffDelayMs(2, () => 0.5)).toBe(3_000);
    for (let attempt = 0; attempt < 12; attempt++) {
      const delay = backoffDelayMs(attempt);
      expect(delay).toBeGreaterThanOrEqual(500);
      expect(delay).toBeLessThanOrEqual(BACKOFF_MAX_MS);
    }
  });

  it('treats a negative attempt as the first', () => {
    expect(backoffDelayMs(-3, () => 1)).toBe(1_000);
  });
});

describe('retryAfterMs', () => {
  const now = Date.parse('2026-01-01T00:00:00Z');

  it('reads seconds', () => {
    expect(retryAfterMs('5', now)).toBe(5_000);
    expect(retryAfterMs(' 0 ', now)).toBe(0);
    expect(retryAfterMs('1.5', now)).toBe(1_500);
  });

  it('reads an HTTP date', () => {
    expect(retryAfterMs('Thu, 01 Jan 2026 00:00:10 GMT', now)).toBe(10_000);
    expect(retryAfterMs('Wed, 31 Dec 2025 23:00:00 GMT', now)).toBe(0);
  });

  it('is undefined when absent or unreadable, and capped', () => {
    expect(retryAfterMs(null, now)).toBeUndefined();
    expect(retryAfterMs('', now)).toBeUndefined();
    expect(retryAfterMs('soon', now)).toBeUndefined();
    expect(retryAfterMs('-5', now)).toBeUndefined();
    expect(retryAfterMs('999999', now)).toBe(600_000);
  });
});

import type { Clock } from '../../observability/clock.ts';

// Rate limits of the web chat, per visitor and per IP address, as token buckets on the core's
// clock (in memory, per process: they guard this process's database writes, which is what a
// flood costs). The numbers are a person's pace with room to spare, not measurements:
//   messages per visitor  burst 10, then one every 3 s (20 a minute): a person pasting a few lines
//                         at once gets through; a script does not. The core's own flood rule
//                         (FLOOD_LIMIT_PER_MINUTE) then decides what reaches the founder.
//   presses per visitor   burst 10, then one every 2 s: ratings and "did you mean" picks.
//   requests per IP       burst 60, then one a second: an office behind one address shares it.
//   new sessions per IP   burst 20, then one every 6 s: each new visitor is a database row.
// Behind a reverse proxy every visitor has the proxy's address; the per-visitor limits still hold.

export interface BucketRule {
  burst: number;
  refillEveryMs: number;
}

export const WEB_LIMITS = {
  messagesPerVisitor: { burst: 10, refillEveryMs: 3_000 },
  pressesPerVisitor: { burst: 10, refillEveryMs: 2_000 },
  requestsPerIp: { burst: 60, refillEveryMs: 1_000 },
  sessionsPerIp: { burst: 20, refillEveryMs: 6_000 },
} as const satisfies Record<string, BucketRule>;

/** Keys kept at most; the emptiest-looking (oldest) go first, which only ever forgives. */
const MAX_KEYS = 50_000;

export class TokenBuckets {
  readonly #buckets = new Map<string, { tokens: number; at: number }>();

  constructor(
    private readonly rule: BucketRule,
    private readonly clock: Clock,
  ) {}

  /** Takes one token for `key`: 0 when allowed, otherwise the milliseconds until one is there. */
  take(key: string): number {
    const now = this.clock.now();
    const bucket = this.#buckets.get(key) ?? { tokens: this.rule.burst, at: now };
    const refilled = Math.min(this.rule.burst, bucket.tokens + (now - bucket.at) / this.rule.refillEveryMs);
    this.#buckets.delete(key);
    if (refilled < 1) {
      this.#buckets.set(key, { tokens: refilled, at: now });
      return Math.ceil((1 - refilled) * this.rule.refillEveryMs);
    }
    this.#buckets.set(key, { tokens: refilled - 1, at: now });
    if (this.#buckets.size > MAX_KEYS) this.#buckets.delete(this.#buckets.keys().next().value!);
    return 0;
  }
}

import type { Clock } from '../observability/clock.ts';

// The daily token budget. It lives in memory: a restart starts the day's count again, so a
// process that restarts all day could spend more than the cap. That is acceptable because the
// cap guards against a loop or a message flood within a running process, not a bill (the
// provider's own spending limit is the hard stop), and restarts are rare events the founder
// sees. Days are UTC days, so the reset does not move with the server's time zone.

const DAY_MS = 86_400_000;

export interface TokenBudget {
  /** Whether another request may be made today (false once the day's tokens are spent). */
  allows(): boolean;
  /** Counts tokens a request used. */
  record(tokens: number): void;
  /** Tokens left today (0 when spent, never negative). */
  remaining(): number;
}

export function createTokenBudget(options: { dailyTokens: number; clock: Clock }): TokenBudget {
  let day = dayOf(options.clock.now());
  let spent = 0;
  const rollOver = (): void => {
    const today = dayOf(options.clock.now());
    if (today !== day) {
      day = today;
      spent = 0;
    }
  };
  return {
    // One request can overshoot the cap by its own size: the last request of the day is allowed
    // while anything is left, since its size is only known afterwards.
    allows() {
      rollOver();
      return spent < options.dailyTokens;
    },
    record(tokens) {
      rollOver();
      if (Number.isFinite(tokens) && tokens > 0) spent += tokens;
    },
    remaining() {
      rollOver();
      return Math.max(0, options.dailyTokens - spent);
    },
  };
}

function dayOf(ms: number): number {
  return Math.floor(ms / DAY_MS);
}

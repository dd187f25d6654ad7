import { describe, expect, it } from 'vitest';
import { createTokenBudget } from '../../src/llm/budget.ts';
import { ManualClock } from '../observability/manual-clock.ts';

describe('daily token budget', () => {
  it('allows until the day\'s tokens are spent, then resets at midnight UTC', () => {
    const clock = new ManualClock();
    clock.advance(Date.UTC(2025, 0, 1, 23, 0) - clock.now());
    const budget = createTokenBudget({ dailyTokens: 1000, clock });

    budget.record(600);
    expect(budget.allows()).toBe(true);
    expect(budget.remaining()).toBe(400);
    budget.record(500); // the last request may overshoot: its size is known only afterwards
    expect(budget.allows()).toBe(false);
    expect(budget.remaining()).toBe(0);

    clock.advance(59 * 60_000);
    expect(budget.allows()).toBe(false);
    clock.advance(60_000); // 00:00 UTC
    expect(budget.allows()).toBe(true);
    expect(budget.remaining()).toBe(1000);
  });

  it('ignores nonsense counts', () => {
    const budget = createTokenBudget({ dailyTokens: 10, clock: new ManualClock() });
    budget.record(Number.NaN);
    budget.record(-50);
    expect(budget.remaining()).toBe(10);
  });
});

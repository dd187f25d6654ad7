import type { Clock } from '../../src/observability/clock.ts';

/**
 * A clock a test moves forward: real time plus however far the test has moved it. It never falls
 * behind real time, because rows the core does not stamp itself (an outbox row's first
 * `nextAttemptAt`, an inbox row's) get the database's default, and a clock behind that would
 * see them as not yet due. A timer fires when the clock is moved past it, or when real time
 * reaches it, whichever comes first.
 */
export class TestClock implements Clock {
  private offset: number;
  private nextId = 1;
  private readonly timers = new Map<number, { at: number; fn: () => void; real: NodeJS.Timeout }>();

  /** `start` (later than now, e.g. a particular weekday) is where the clock begins; now by default. */
  constructor(start?: Date) {
    this.offset = start ? Math.max(0, start.getTime() - Date.now()) : 0;
  }

  now(): number {
    return Date.now() + this.offset;
  }

  setTimeout(fn: () => void, ms: number): unknown {
    const id = this.nextId++;
    const real = setTimeout(() => this.fire(id), ms);
    real.unref();
    this.timers.set(id, { at: this.now() + ms, fn, real });
    return id;
  }

  clearTimeout(timer: unknown): void {
    const entry = this.timers.get(timer as number);
    if (entry) clearTimeout(entry.real);
    this.timers.delete(timer as number);
  }

  /** How long until each waiting timer fires, soonest first. */
  pending(): number[] {
    const now = this.now();
    return [...this.timers.values()].map((t) => t.at - now).sort((a, b) => a - b);
  }

  /** Moves time forward by `ms`, running every timer that comes due on the way, in order. */
  advance(ms: number): void {
    this.offset += ms;
    const now = this.now();
    const due = [...this.timers.entries()].filter(([, t]) => t.at <= now).sort((a, b) => a[1].at - b[1].at);
    for (const [id] of due) this.fire(id);
  }

  private fire(id: number): void {
    const entry = this.timers.get(id);
    if (!entry) return;
    this.clearTimeout(id);
    entry.fn();
  }
}

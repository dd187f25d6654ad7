// The shape both durable queues (the inbox and the outbox) are worked in: a round claims and
// handles what is due and says how many rows it handled; rounds follow each other while there is
// work, then the loop sleeps until the next poll (other processes enqueue too) or a wake().

import { systemClock, type Clock } from '../observability/clock.ts';

export interface PollingLoopOptions {
  pollIntervalMs: number;
  /** A round that threw: logged by the owner; the loop goes on at the next poll. */
  onError: (error: unknown) => void;
  /** Sets the poll timer, so a test moves time instead of waiting for a poll (the system clock by default). */
  clock?: Clock;
}

export abstract class PollingLoop {
  private timer: unknown;
  private running: Promise<void> | undefined;
  private stopped = true;
  private wakeRequested = false;

  /** The owner's clock: the poll timer's, and the one the owner's rounds read. */
  protected readonly clock: Clock;

  constructor(private readonly loopOptions: PollingLoopOptions) {
    this.clock = loopOptions.clock ?? systemClock;
  }

  /** One round: claims what is due and handles it; returns how many rows it handled. */
  abstract runOnce(): Promise<number>;

  start(): void {
    this.stopped = false;
    this.schedule(0);
  }

  /** Stops polling and waits for the round in flight. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer);
    await this.running;
  }

  /** Something was enqueued: look now rather than at the next poll. */
  wake(): void {
    if (this.stopped) return;
    if (this.running) {
      this.wakeRequested = true;
      return;
    }
    this.schedule(0);
  }

  /** Runs rounds until one handles nothing; returns how many rows were handled in all. */
  async drain(): Promise<number> {
    let total = 0;
    for (;;) {
      const handled = await this.runOnce();
      if (handled === 0) return total;
      total += handled;
    }
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer);
    this.timer = this.clock.setTimeout(() => {
      this.running = this.loop().finally(() => {
        this.running = undefined;
        const again = this.wakeRequested;
        this.wakeRequested = false;
        this.schedule(again ? 0 : this.loopOptions.pollIntervalMs);
      });
    }, delayMs);
  }

  private async loop(): Promise<void> {
    try {
      while (!this.stopped && (await this.runOnce()) > 0) {
        // keep going while there is work
      }
    } catch (error) {
      this.loopOptions.onError(error);
    }
  }
}

/**
 * What the visitor sent that the server has not acknowledged: messages and button presses, in
 * order, persisted (a reload or a night offline loses nothing), sent one at a time. A network
 * error, 429 or 5xx sends the SAME item again (same client id, so the server can deduplicate);
 * a message the server rejects stays, marked failed, until the visitor retries it.
 */
import type { Alarm } from './alarm.ts';
import { backoffDelayMs } from './backoff.ts';
import { isClientId } from './protocol.ts';

export type OutgoingItem =
  | { kind: 'message'; id: string; text: string; at: string; failed?: boolean }
  | { kind: 'action'; id: string; action: string; messageKey: string };

/** `halt`: nothing can be sent now (the site is refused); wait until woken. */
export type DeliveryOutcome = { kind: 'delivered' } | { kind: 'retry'; afterMs?: number } | { kind: 'rejected' } | { kind: 'halt' };

export interface OutgoingStore {
  load(): unknown;
  save(items: readonly OutgoingItem[]): void;
}

export interface OutgoingQueueOptions {
  store: OutgoingStore;
  deliver: (item: OutgoingItem) => Promise<DeliveryOutcome>;
  alarm: Alarm;
  onChange: (item: OutgoingItem, outcome: 'delivered' | 'rejected' | 'retrying') => void;
  random?: () => number;
}

function isOutgoingItem(value: unknown): value is OutgoingItem {
  if (typeof value !== 'object' || value === null) return false;
  const item = value as Record<string, unknown>;
  if (typeof item.id !== 'string' || !isClientId(item.id)) return false;
  if (item.kind === 'message') return typeof item.text === 'string' && typeof item.at === 'string';
  return item.kind === 'action' && typeof item.action === 'string' && typeof item.messageKey === 'string';
}

export class OutgoingQueue {
  private queued: OutgoingItem[];
  private pumping = false;
  private readonly options: OutgoingQueueOptions;

  constructor(options: OutgoingQueueOptions) {
    this.options = options;
    const stored = options.store.load();
    this.queued = Array.isArray(stored) ? stored.filter(isOutgoingItem) : [];
  }

  items(): readonly OutgoingItem[] {
    return this.queued;
  }

  enqueue(item: OutgoingItem): void {
    this.queued.push(item);
    this.save();
    this.start();
  }

  /** The server already has this item (seen in history or a message event): stop sending it. */
  acknowledge(id: string): void {
    if (!this.queued.some((item) => item.id === id)) return;
    this.queued = this.queued.filter((item) => item.id !== id);
    this.save();
  }

  /** The visitor asked to send a failed message again. */
  retry(id: string): void {
    this.queued = this.queued.map((item) => (item.id === id && item.kind === 'message' ? { ...item, failed: false } : item));
    this.save();
    this.start();
  }

  /** Sends whatever is waiting; a no-op while already sending. */
  start(): void {
    if (this.pumping) return;
    this.pumping = true;
    void this.pump().finally(() => {
      this.pumping = false;
    });
  }

  private async pump(): Promise<void> {
    let attempt = 0;
    for (let item = this.next(); item; item = this.next()) {
      const outcome = await this.options.deliver(item);
      if (outcome.kind === 'halt') return;
      if (outcome.kind === 'retry') {
        this.options.onChange(item, 'retrying');
        await this.options.alarm.sleep(outcome.afterMs ?? backoffDelayMs(attempt++, this.options.random));
        continue;
      }
      attempt = 0;
      if (outcome.kind === 'rejected' && item.kind === 'message') {
        this.queued = this.queued.map((queued) => (queued.id === item.id ? { ...item, failed: true } : queued));
      } else {
        this.queued = this.queued.filter((queued) => queued.id !== item.id);
      }
      this.save();
      this.options.onChange(item, outcome.kind);
    }
  }

  private next(): OutgoingItem | undefined {
    return this.queued.find((item) => item.kind === 'action' || !item.failed);
  }

  private save(): void {
    this.options.store.save(this.queued);
  }
}

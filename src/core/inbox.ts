import { randomUUID } from 'node:crypto';
import { Prisma, type PrismaClient } from '@prisma/client';
import type { Clock } from '../observability/clock.ts';
import type { Logger } from '../observability/logger.ts';
import type { Metrics } from '../observability/metrics.ts';
import { OverloadedError } from '../errors.ts';
import type { InboundMessage } from './messages.ts';
import type { RejectedInbound } from './ports.ts';
import { sanitizeJson, sanitizeText } from './sanitize.ts';

// The intake side of "store first, decide after": a platform's delivery only has to be durable
// before it is acknowledged, so the webhook path is one INSERT, and concurrent deliveries share it
// (group commit: one multi-row INSERT … ON CONFLICT DO NOTHING per batch). The work in flight is
// bounded: past `maxQueued` waiting deliveries, or when one cannot be written within
// `storeDeadlineMs`, the delivery is refused with OverloadedError, which adapters answer with a
// retryable status (Telegram and Slack both redeliver). A refused delivery that the database took
// after all is harmless: its redelivery is a duplicate.

export interface InboxOptions {
  /** Deliveries waiting for a write at most; the next one is refused at once. */
  maxQueued?: number;
  /** Rows in one INSERT. */
  maxBatch?: number;
  /** INSERTs in flight at once (each holds a database connection). */
  concurrentWrites?: number;
  /**
   * A delivery not stored by then is refused. 1 s: the issue's bound for a refusal, far inside
   * Slack's 3 s and Telegram's webhook timeout, so the platform hears "retry" rather than nothing.
   */
  storeDeadlineMs?: number;
  /** What a refusal tells the platform to wait before redelivering. */
  retryAfterMs?: number;
}

export interface StoredInbound {
  duplicate: boolean;
  inboundId: string;
}

interface Waiting {
  id: string;
  message: InboundMessage;
  key: string;
  resolve: (stored: StoredInbound) => void;
  reject: (error: unknown) => void;
  timer: NodeJS.Timeout;
  settled: boolean;
  startedAt: number;
}

export class Inbox {
  private readonly queue: Waiting[] = [];
  private writing = 0;
  private readonly options: Required<InboxOptions>;

  constructor(
    private readonly prisma: PrismaClient,
    private readonly deps: { logger: Logger; metrics: Metrics; onStored: () => void; clock: Clock },
    options: InboxOptions = {},
  ) {
    this.options = { maxQueued: 2_000, maxBatch: 100, concurrentWrites: 2, storeDeadlineMs: 1_000, retryAfterMs: 1_000, ...options };
  }

  /**
   * Deliveries are waiting for the database right now. The processor yields while this holds:
   * deciding shares the event loop (and on PGlite the one database connection) with storing, and
   * a platform waiting for its acknowledgement comes before a customer waiting for an answer.
   */
  underPressure(): boolean {
    return this.queue.length > 0 || this.writing > 0;
  }

  /** Resolves once the delivery is durable (or was already); rejects with OverloadedError otherwise. */
  store(message: InboundMessage): Promise<StoredInbound> {
    if (this.queue.length >= this.options.maxQueued) {
      this.deps.metrics.inboundRefused.inc({ reason: 'queue_full' });
      return Promise.reject(new OverloadedError('too many deliveries waiting to be stored', this.options.retryAfterMs));
    }
    return new Promise<StoredInbound>((resolve, reject) => {
      const waiting: Waiting = {
        id: randomUUID(),
        message,
        key: `${message.channel}\u0000${message.platformMessageId}`,
        resolve,
        reject,
        settled: false,
        startedAt: performance.now(),
        timer: setTimeout(() => {
          const queued = this.queue.indexOf(waiting);
          if (queued >= 0) this.queue.splice(queued, 1);
          this.deps.metrics.inboundRefused.inc({ reason: 'deadline' });
          this.settle(waiting, () => reject(new OverloadedError('the delivery could not be stored in time', this.options.retryAfterMs)));
        }, this.options.storeDeadlineMs),
      };
      this.queue.push(waiting);
      this.pump();
    });
  }

  /** Records a delivery that is not a message, so the platform can be told 200 and stop retrying. */
  async reject(rejected: RejectedInbound): Promise<void> {
    const reason = sanitizeText(rejected.reason).slice(0, 200);
    const key = rejected.platformEventId ? sanitizeText(rejected.platformEventId).slice(0, 200) : `rejected:${randomUUID()}`;
    const payload = JSON.stringify({ raw: sanitizeJson(rejected.raw ?? null) });
    const now = this.timestamp();
    await this.prisma.$executeRaw`
      INSERT INTO "InboundEvent" (id, channel, "platformMessageId", "chatKey", payload, status, reason, "receivedAt", "nextAttemptAt", "processedAt")
      VALUES (${randomUUID()}::uuid, ${rejected.channel}, ${key}, ${`${rejected.channel}:rejected`}, ${payload}::jsonb,
              'rejected'::"InboundStatus", ${reason}, ${now}, ${now}, ${now})
      ON CONFLICT (channel, "platformMessageId") DO NOTHING`;
    this.deps.metrics.inboundRejected.inc({ channel: rejected.channel, reason: metricReason(reason) });
    this.deps.logger.warn({ channel: rejected.channel, reason }, 'delivery rejected as malformed; acknowledged so it is not redelivered');
  }

  private settle(waiting: Waiting, finish: () => void): void {
    if (waiting.settled) return;
    waiting.settled = true;
    clearTimeout(waiting.timer);
    finish();
  }

  private pump(): void {
    while (this.writing < this.options.concurrentWrites && this.queue.length > 0) {
      const batch = this.queue.splice(0, this.options.maxBatch);
      this.writing += 1;
      void this.write(batch).finally(() => {
        this.writing -= 1;
        this.pump();
      });
    }
  }

  private async write(batch: Waiting[]): Promise<void> {
    // One row per key: a delivery repeated inside one batch is a duplicate of its first copy.
    const firsts = new Map<string, Waiting>();
    for (const waiting of batch) if (!firsts.has(waiting.key)) firsts.set(waiting.key, waiting);
    try {
      const now = this.timestamp();
      const rows = [...firsts.values()].map((w) =>
        Prisma.sql`(${w.id}::uuid, ${w.message.channel}, ${w.message.platformMessageId}, ${chatKeyOf(w.message)}, ${JSON.stringify(w.message)}::jsonb, ${now}, ${now})`,
      );
      const inserted = await this.prisma.$queryRaw<Array<{ id: string }>>`
        INSERT INTO "InboundEvent" (id, channel, "platformMessageId", "chatKey", payload, "receivedAt", "nextAttemptAt")
        VALUES ${Prisma.join(rows)}
        ON CONFLICT (channel, "platformMessageId") DO NOTHING
        RETURNING id`;
      const fresh = new Set(inserted.map((r) => r.id));
      const existing = fresh.size < firsts.size ? await this.existingIds([...firsts.values()].filter((w) => !fresh.has(w.id))) : new Map<string, string>();
      for (const waiting of batch) {
        const first = firsts.get(waiting.key)!;
        const duplicate = first !== waiting || !fresh.has(waiting.id);
        const inboundId = fresh.has(first.id) ? first.id : (existing.get(waiting.key) ?? first.id);
        this.deps.metrics.inboxStoreSeconds.observe((performance.now() - waiting.startedAt) / 1000);
        this.settle(waiting, () => waiting.resolve({ duplicate, inboundId }));
      }
      if (fresh.size > 0) this.deps.onStored();
    } catch (error) {
      this.deps.logger.warn({ err: error, deliveries: batch.length }, 'could not store deliveries; they are refused and the platforms will redeliver');
      for (const waiting of batch) {
        this.settle(waiting, () => {
          this.deps.metrics.inboundRefused.inc({ reason: 'store_failed' });
          waiting.reject(new OverloadedError('the delivery could not be stored', this.options.retryAfterMs, { cause: error }));
        });
      }
    }
  }

  /**
   * The core's clock as a column value (Prisma's DateTime is a UTC timestamp without zone): a row
   * is due by the same clock the processor claims with, not by the database server's.
   */
  private timestamp(): Prisma.Sql {
    return Prisma.sql`(${new Date(this.deps.clock.now()).toISOString()}::timestamptz AT TIME ZONE 'UTC')`;
  }

  private async existingIds(waiting: Waiting[]): Promise<Map<string, string>> {
    const pairs = waiting.map((w) => Prisma.sql`(${w.message.channel}, ${w.message.platformMessageId})`);
    const rows = await this.prisma.$queryRaw<Array<{ id: string; channel: string; platformMessageId: string }>>`
      SELECT id, channel, "platformMessageId" FROM "InboundEvent"
       WHERE (channel, "platformMessageId") IN (${Prisma.join(pairs)})`;
    return new Map(rows.map((r) => [`${r.channel}\u0000${r.platformMessageId}`, r.id]));
  }
}

export function chatKeyOf(message: Pick<InboundMessage, 'channel' | 'externalChatId'>): string {
  return `${message.channel}:${message.externalChatId}`;
}

/** A metric label from a free-text reason: its first words, so the label set stays small. */
function metricReason(reason: string): string {
  return reason.toLowerCase().replace(/[^a-z0-9_ .:-]/g, '').split(/[:.]/)[0]!.trim().slice(0, 40) || 'unknown';
}

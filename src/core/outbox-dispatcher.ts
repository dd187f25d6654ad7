import { Prisma, type PrismaClient } from '@prisma/client';
import { systemClock, type Clock } from '../observability/clock.ts';
import type { Logger } from '../observability/logger.ts';
import type { Metrics } from '../observability/metrics.ts';
import { claimChatHeads } from './claim-chat-heads.ts';
import { NetworkError, PlatformApiError, RateLimitedError } from '../errors.ts';
import { enqueueFounderNotice } from './outbox.ts';
import { PollingLoop } from './polling-loop.ts';
import type { Delivery, DeliveryPayload, SendResult, Sender } from './ports.ts';

// Sends what the outbox holds. Rows are leased with FOR UPDATE SKIP LOCKED, so any number of
// dispatchers (in any number of processes) share the work and none sends a row another holds;
// a chat's rows go out one at a time in order; rate limits and retry-after push a row back
// without counting as a failure; transient failures back off exponentially with jitter; a
// permanent failure stops the row and records why on the row and on the message.
//
// Exactly once, as far as the platforms allow: a send that succeeded is never repeated because
// recording it failed (the record is retried, not the send). `sendingAt` is written just before
// the platform is called, so the only rows that can go out twice are those whose send was in
// flight when the process died; they are sent again when their lease ends (at-least-once for that
// window, counted as `resent_in_doubt`). Telegram and Slack offer no idempotency key to close it.
//
// One clock decides time here: what is due and when a lease ends (passed into the claim's SQL,
// not the database's now()), backoffs, limits, timeouts and the poll timer. A test moves it
// instead of waiting, and the app and the database never disagree about "now".

export interface DispatcherOptions {
  batchSize?: number;
  pollIntervalMs?: number;
  /** A claimed row belongs to this dispatcher for this long (longer than any send may take). */
  leaseMs?: number;
  sendTimeoutMs?: number;
  /** Waits between tries to record a send that went out (the send itself is never repeated). */
  recordRetryDelaysMs?: number[];
  maxAttempts?: number;
  baseBackoffMs?: number;
  maxBackoffMs?: number;
  random?: () => number;
}

interface OutboxRow {
  id: string;
  channel: string;
  chatKey: string;
  payload: DeliveryPayload;
  attempts: number;
  messageId: string | null;
  sendingAt: Date | null;
}

interface UnrecordedSend {
  row: OutboxRow;
  platformIds: string[];
}

export class OutboxDispatcher extends PollingLoop {
  private readonly senders = new Map<string, Sender>();
  private readonly lastSentToChat = new Map<string, number>();
  private readonly channelWindow = new Map<string, number[]>();
  private readonly options: Required<DispatcherOptions>;
  /** Sends that went out but could not be recorded yet: recorded before anything new is claimed. */
  private readonly unrecorded: UnrecordedSend[] = [];

  constructor(
    private readonly prisma: PrismaClient,
    private readonly deps: { logger: Logger; metrics: Metrics; clock?: Clock },
    options: DispatcherOptions = {},
  ) {

    const settings = {
      batchSize: 20,
      pollIntervalMs: 500,
      // Short, so a crashed dispatcher's rows come back soon; still twice the send timeout.
      leaseMs: 30_000,
      sendTimeoutMs: 15_000,
      recordRetryDelaysMs: [50, 250, 1_000],
      maxAttempts: 8,
      baseBackoffMs: 1_000,
      maxBackoffMs: 10 * 60_000,
      random: Math.random,
      ...options,
    };
    super({
      pollIntervalMs: settings.pollIntervalMs,
      onError: (error) => this.deps.logger.error({ err: error }, 'outbox dispatch failed; retrying at the next poll'),
      clock: deps.clock ?? systemClock,
    });
    this.options = settings;
  }

  /** The clock's now, or that many milliseconds after it. */
  private now(afterMs = 0): Date {
    return new Date(this.clock.now() + afterMs);
  }

  registerSender(sender: Sender): void {
    this.senders.set(sender.channel, sender);
  }

  get channels(): string[] {
    return [...this.senders.keys()];
  }

  /** Claims one batch and delivers it; returns how many rows were attempted (not those put back to wait). */
  async runOnce(): Promise<number> {
    if (this.senders.size === 0) return 0;
    await this.recordUnrecorded();
    const sendable = [...this.senders.values()].filter((sender) => sender.canSend?.() !== false).map((sender) => sender.channel);
    if (sendable.length === 0) return 0;
    const rows = await this.claim(sendable);
    const attempted = await Promise.all(rows.map((row) => this.deliver(row)));
    return attempted.filter(Boolean).length;
  }

  private claim(channels: string[]): Promise<OutboxRow[]> {
    return claimChatHeads<OutboxRow>(this.prisma, {
      table: 'Outbox',
      leaseMs: this.options.leaseMs,
      batchSize: this.options.batchSize,
      where: Prisma.sql`AND c.channel IN (${Prisma.join(channels)})`,
      now: this.now(),
      returning: Prisma.sql`o.id, o.channel, o."chatKey", o.payload, o.attempts, o."messageId", o."sendingAt"`,
    });
  }

  private async deliver(row: OutboxRow): Promise<boolean> {
    const sender = this.senders.get(row.channel)!;
    const waitMs = this.waitForLimits(sender, row.chatKey);
    if (waitMs > 0) {
      await this.release(row, waitMs);
      return false;
    }
    if (row.sendingAt !== null) {
      this.deps.metrics.deliveries.inc({ channel: row.channel, result: 'resent_in_doubt' });
      this.deps.logger.warn({ outboxId: row.id, channel: row.channel }, 'a send was in flight when its dispatcher stopped; sending again (it may arrive twice)');
    }
    await this.prisma.outbox.update({ where: { id: row.id }, data: { sendingAt: this.now() } });
    const delivery: Delivery = { id: row.id, channel: row.channel, payload: row.payload, attempt: row.attempts };
    let result: SendResult;
    try {
      result = await withTimeout(sender.send(delivery), this.options.sendTimeoutMs, this.clock);
    } catch (error) {
      await this.handleFailure(row, error);
      return true;
    }
    this.lastSentToChat.set(row.chatKey, this.clock.now());
    this.deps.metrics.deliveries.inc({ channel: row.channel, result: 'sent' });
    await this.recordSent({ row, platformIds: result.platformMessageIds ?? [] });
    return true;
  }

  /** Records a send that went out, retrying the record (never the send); keeps it for later if the database is away. */
  private async recordSent(sent: UnrecordedSend): Promise<void> {
    for (const delayMs of [0, ...this.options.recordRetryDelaysMs]) {
      if (delayMs > 0) await new Promise((resolve) => this.clock.setTimeout(() => resolve(undefined), delayMs));
      try {
        await this.markSent(sent.row, sent.platformIds);
        return;
      } catch (error) {
        this.deps.logger.warn({ err: error, outboxId: sent.row.id }, 'a delivery went out but could not be recorded yet; retrying the record, not the send');
      }
    }
    this.unrecorded.push(sent);
  }

  private async recordUnrecorded(): Promise<void> {
    while (this.unrecorded.length > 0) {
      await this.markSent(this.unrecorded[0]!.row, this.unrecorded[0]!.platformIds);
      this.unrecorded.shift();
    }
  }

  /** Milliseconds until this send is within the sender's limits (0 = go now). */
  private waitForLimits(sender: Sender, chatKey: string): number {
    const now = this.clock.now();
    const perChat = sender.limits?.perChatIntervalMs ?? 0;
    const last = this.lastSentToChat.get(chatKey);
    if (perChat > 0 && last !== undefined && now - last < perChat) return perChat - (now - last);
    const perSecond = sender.limits?.perSecond ?? 0;
    if (perSecond > 0) {
      const window = (this.channelWindow.get(sender.channel) ?? []).filter((t) => now - t < 1_000);
      if (window.length >= perSecond) return 1_000 - (now - window[0]!);
      window.push(now);
      this.channelWindow.set(sender.channel, window);
    }
    return 0;
  }

  /** Puts a claimed row back without counting the attempt. */
  private async release(row: OutboxRow, delayMs: number): Promise<void> {
    await this.prisma.outbox.update({
      where: { id: row.id },
      data: { attempts: { decrement: 1 }, lockedUntil: null, nextAttemptAt: this.now(delayMs) },
    });
  }

  private async markSent(row: OutboxRow, platformIds: string[]): Promise<void> {
    await this.prisma.$transaction(async (tx) => {
      await tx.outbox.update({
        where: { id: row.id },
        data: { status: 'sent', sentAt: this.now(), lockedUntil: null, lastError: null, platformMessageId: platformIds.join(',') || null },
      });
      if (row.payload.type !== 'customer_message' || !row.messageId) return;
      const message = await tx.message.update({
        where: { id: row.messageId },
        data: { deliveryState: 'sent', deliveryError: null },
      });
      if (message.author === 'founder') {
        await enqueueFounderNotice(tx, {
          type: 'delivery_report',
          conversationId: message.conversationId,
          messageId: message.id,
          delivered: true,
        });
      }
    });
  }

  private async handleFailure(row: OutboxRow, error: unknown): Promise<void> {
    const reason = describeError(error);
    this.deps.metrics.sendFailures.inc({ channel: row.channel, reason: failureKind(error) });
    if (error instanceof RateLimitedError) {
      this.deps.metrics.deliveries.inc({ channel: row.channel, result: 'rate_limited' });
      await this.prisma.outbox.update({
        where: { id: row.id },
        data: {
          attempts: { decrement: 1 },
          lockedUntil: null,
          sendingAt: null,
          lastError: reason,
          nextAttemptAt: this.now(error.retryAfterMs),
        },
      });
      return;
    }
    const permanent = error instanceof PlatformApiError && error.permanent;
    if (permanent || row.attempts >= this.options.maxAttempts) {
      this.deps.metrics.deliveries.inc({ channel: row.channel, result: 'failed' });
      this.deps.logger.warn({ outboxId: row.id, channel: row.channel, reason }, 'delivery failed for good');
      await this.markFailed(row, reason, error instanceof PlatformApiError && error.reason === 'blocked');
      return;
    }
    this.deps.metrics.deliveries.inc({ channel: row.channel, result: 'retry' });
    const backoff = Math.min(this.options.maxBackoffMs, this.options.baseBackoffMs * 2 ** (row.attempts - 1));
    const jittered = Math.round(backoff * (0.5 + this.options.random()));
    await this.prisma.outbox.update({
      where: { id: row.id },
      // The platform answered (or the send timed out): this row is no longer in doubt for a crash.
      data: { lockedUntil: null, sendingAt: null, lastError: reason, nextAttemptAt: this.now(jittered) },
    });
  }

  private async markFailed(row: OutboxRow, reason: string, blocked: boolean): Promise<void> {
    await this.prisma.$transaction(async (tx) => {
      await tx.outbox.update({ where: { id: row.id }, data: { status: 'failed', lockedUntil: null, lastError: reason } });
      if (row.payload.type !== 'customer_message' || !row.messageId) return;
      const message = await tx.message.update({
        where: { id: row.messageId },
        data: { deliveryState: 'failed', deliveryError: reason },
        include: { conversation: true },
      });
      if (blocked) {
        await tx.channelIdentity.updateMany({
          where: { channel: message.conversation.channel, customerId: message.conversation.customerId },
          data: { blockedAt: this.now() },
        });
      }
      await enqueueFounderNotice(tx, {
        type: 'delivery_report',
        conversationId: message.conversationId,
        messageId: message.id,
        delivered: false,
        error: reason,
      });
    });
  }
}

function describeError(error: unknown): string {
  const text = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  return text.slice(0, 500);
}

function withTimeout<T>(promise: Promise<T>, ms: number, clock: Clock): Promise<T> {
  let timer: unknown;
  return Promise.race([
    promise,
    new Promise<never>((_, reject) => {
      timer = clock.setTimeout(() => reject(new Error(`send timed out after ${ms} ms`)), ms);
    }),
  ]).finally(() => clock.clearTimeout(timer));
}

/** A failure's metric label: a short closed list, never the error text. */
function failureKind(error: unknown): string {
  if (error instanceof RateLimitedError) return 'rate_limited';
  if (error instanceof PlatformApiError) return error.reason ?? 'platform';
  if (error instanceof NetworkError) return 'network';
  return 'other';
}

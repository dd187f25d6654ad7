import { Prisma, type PrismaClient } from '@prisma/client';
import { claimChatHeads } from './claim-chat-heads.ts';
import type { KbAnswer } from '../kb/knowledge-base.ts';
import { wantsDraft } from './decide-reply.ts';
import { previewReply, storeAndDecide, type PipelineDeps } from './inbound-pipeline.ts';
import { tellFounderLlmUnavailable } from './llm-outage-notice.ts';
import type { DraftResult } from './ports.ts';
import { replyLanguageOf } from './phrases.ts';
import { InboundMessageSchema, type InboundMessage } from './messages.ts';
import { PollingLoop } from './polling-loop.ts';

// The deciding side of "store first, decide after". Rows of the inbox are leased with FOR UPDATE
// SKIP LOCKED, so any number of processors (in any number of processes) share the work; only the
// oldest pending row of a chat is claimable, so one customer's messages are decided in the order
// they arrived. A row becomes `done` in the transaction that stores its message and replies, so a
// crash at any point leaves it pending (decided again later) or done (never again): exactly-once
// storage and replies, whatever dies when. Time is the core's one clock (`deps.clock`): what is
// due, leases, backoffs, pruning and the poll timer.

export interface InboxProcessorOptions {
  batchSize?: number;
  /** Rows decided at once (each holds a database connection for its transaction). */
  concurrency?: number;
  pollIntervalMs?: number;
  /**
   * A claimed row belongs to this processor for this long: twice a decision's transaction timeout
   * (15 s), so a live processor never loses a row, and a dead one's rows come back within 30 s.
   */
  leaseMs?: number;
  /** Decisions that threw this many times mark the row failed (and say so in the log and metrics). */
  maxAttempts?: number;
  /**
   * Done rows are deleted after this long (7 days: far past any platform's redelivery window; after
   * it, the Message table's own unique platform id still drops a late duplicate). Rejected and
   * failed rows are kept for the founder and for us.
   */
  keepDoneMs?: number;
  baseBackoffMs?: number;
  maxBackoffMs?: number;
  /**
   * While deliveries wait to be stored, a decision waits for them, but never longer than this:
   * under a sustained flood, decisions go on at a trickle instead of stopping (250 ms: each wait
   * short against Slack's 3 s acknowledgement window and the inbox's 1 s store deadline).
   */
  maxYieldMs?: number;
}

/** What the processor yields to (the inbox's intake). */
export interface Intake {
  underPressure(): boolean;
}

interface InboxRow {
  id: string;
  payload: unknown;
  attempts: number;
}

export class InboxProcessor extends PollingLoop {
  private readonly options: Required<InboxProcessorOptions>;

  constructor(
    private readonly prisma: PrismaClient,
    private readonly deps: PipelineDeps,
    options: InboxProcessorOptions = {},
    private readonly intake?: Intake,
  ) {
    const settings = {
      batchSize: 32,
      concurrency: 4,
      pollIntervalMs: 500,
      leaseMs: 30_000,
      maxAttempts: 5,
      baseBackoffMs: 1_000,
      maxBackoffMs: 5 * 60_000,
      keepDoneMs: 7 * 24 * 60 * 60_000,
      maxYieldMs: 250,
      ...options,
    };
    super({
      pollIntervalMs: settings.pollIntervalMs,
      onError: (error) => this.deps.logger.error({ err: error }, 'inbox processing failed; retrying at the next poll'),
      clock: deps.clock,
    });
    this.options = settings;
  }

  /** Claims one batch and decides it; returns how many rows it handled. */
  async runOnce(): Promise<number> {
    await this.pruneNowAndThen();
    const rows = await this.claim();
    let next = 0;
    const worker = async () => {
      // Take the row before yielding: another worker may take the next one meanwhile.
      for (let row = rows[next++]; row !== undefined; row = rows[next++]) {
        await this.yieldToIntake();
        await this.process(row);
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.options.concurrency, rows.length) }, worker));
    return rows.length;
  }

  /**
   * Storing comes first: waits (in short macrotask sleeps, so sockets get their turn) while
   * deliveries wait. Real time, not the core's clock: this gives the event loop to I/O, which a
   * moved clock cannot make happen.
   */
  private async yieldToIntake(): Promise<void> {
    const started = Date.now();
    while (this.intake?.underPressure() && Date.now() - started < this.options.maxYieldMs) {
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  }

  private lastPrunedAt = 0;

  /** At most every ten minutes: the inbox holds what is in flight and a week of history, not all of it. */
  private async pruneNowAndThen(): Promise<void> {
    const now = this.clock.now();
    if (now - this.lastPrunedAt < 10 * 60_000) return;
    this.lastPrunedAt = now;
    await this.prisma.inboundEvent.deleteMany({ where: { status: 'done', processedAt: { lt: new Date(now - this.options.keepDoneMs) } } });
  }

  private claim(): Promise<InboxRow[]> {
    return claimChatHeads<InboxRow>(this.prisma, {
      table: 'InboundEvent',
      leaseMs: this.options.leaseMs,
      batchSize: this.options.batchSize,
      returning: Prisma.sql`o.id, o.payload, o.attempts`,
      now: this.now(),
    });
  }

  private async process(row: InboxRow): Promise<void> {
    const { metrics } = this.deps;
    try {
      const message = InboundMessageSchema.parse(row.payload);
      const started = performance.now();
      const kb = message.autoReply === undefined ? await this.deps.kb.decide(message.text) : null;
      metrics.decisionSeconds.observe((performance.now() - started) / 1000);
      // Outside the transaction: an LLM takes seconds, and a transaction must not wait on it.
      const draft = kb === null ? undefined : await draftFor(this.deps, message, kb);
      const result = await this.prisma.$transaction(
        async (tx) => {
          const decided = await storeAndDecide(this.deps, tx, message, kb, draft);
          await tx.inboundEvent.update({
            where: { id: row.id },
            data: {
              status: 'done',
              processedAt: this.now(),
              lockedUntil: null,
              lastError: null,
              conversationId: decided.conversationId ?? null,
              outcome: decided.duplicate ? 'duplicate' : (decided.outcome ?? null),
            },
          });
          return decided;
        },
        { timeout: 15_000, maxWait: 15_000 },
      );
      metrics.inboundMessages.inc({ channel: message.channel, result: result.duplicate ? 'duplicate' : 'stored' });
      if (result.outcome) metrics.decisions.inc({ outcome: result.outcome });
      metrics.inboxProcessed.inc({ result: 'done' });
    } catch (error) {
      await this.failed(row, error).catch((recordError: unknown) =>
        this.deps.logger.error({ err: recordError, inboundId: row.id }, 'could not record an inbox failure; the lease will expire and it is tried again'),
      );
    }
  }

  private async failed(row: InboxRow, error: unknown): Promise<void> {
    // Two processors raced past the duplicate check: the unique index decided, the message is stored.
    if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === 'P2002') {
      await this.prisma.inboundEvent.update({ where: { id: row.id }, data: { status: 'done', processedAt: this.now(), lockedUntil: null } });
      this.deps.metrics.inboxProcessed.inc({ result: 'done' });
      return;
    }
    const reason = (error instanceof Error ? `${error.name}: ${error.message}` : String(error)).slice(0, 500);
    if (row.attempts >= this.options.maxAttempts) {
      this.deps.metrics.inboxProcessed.inc({ result: 'failed' });
      this.deps.logger.error({ err: error, inboundId: row.id, attempts: row.attempts }, 'a stored message could not be decided; it stays in the inbox as failed');
      await this.prisma.inboundEvent.update({ where: { id: row.id }, data: { status: 'failed', lockedUntil: null, lastError: reason, reason: 'decision_failed' } });
      return;
    }
    this.deps.metrics.inboxProcessed.inc({ result: 'retry' });
    this.deps.logger.warn({ err: error, inboundId: row.id, attempts: row.attempts }, 'deciding a stored message failed; it is retried');
    const backoff = Math.min(this.options.maxBackoffMs, this.options.baseBackoffMs * 2 ** (row.attempts - 1));
    await this.prisma.inboundEvent.update({
      where: { id: row.id },
      data: { lockedUntil: null, lastError: reason, nextAttemptAt: this.now(backoff) },
    });
  }

  /** The clock's now, or that many milliseconds after it. */
  private now(afterMs = 0): Date {
    return new Date(this.clock.now() + afterMs);
  }
}

/**
 * A draft when the message would reach the founder because the KB is not sure or a person was
 * asked for (previewed before the transaction, so nothing else spends tokens): from the KB's three
 * best articles, in the customer's language. Undefined without a drafter or when none is wanted;
 * `unavailable` when the LLM failed (the desk goes on without it, and the founder hears once a day).
 */
async function draftFor(deps: PipelineDeps, message: InboundMessage, kb: KbAnswer): Promise<DraftResult | undefined> {
  if (deps.drafter === undefined || kb.ranked.length === 0) return undefined;
  if (!wantsDraft(await previewReply(deps, message, kb))) return undefined;
  const outcome = await deps.drafter.draft({
    question: message.text,
    language: replyLanguageOf(message.text),
    articles: kb.ranked.slice(0, 3).map((r) => ({ id: r.article.id, title: r.article.title, body: r.article.body })),
  });
  if (outcome.kind === 'unavailable') {
    deps.logger.warn({ reason: outcome.reason }, 'no draft for the founder: the LLM is unavailable; escalating without one');
    await tellFounderLlmUnavailable(deps, outcome.reason);
  }
  return outcome;
}

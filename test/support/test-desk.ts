import { createCore, type Core } from '../../src/core/create-core.ts';
import type { CoreSettings } from '../../src/core/inbound-pipeline.ts';
import type { DispatcherOptions } from '../../src/core/outbox-dispatcher.ts';
import { FOUNDER_CHANNEL, type Delivery, type Drafter, type InboundResult, type FounderNotice, type SendResult, type Sender } from '../../src/core/ports.ts';
import type { DecisionThresholds } from '../../src/kb/decision.ts';
import { createKnowledgeBase, type KnowledgeBaseService } from '../../src/kb/knowledge-base-service.ts';
import { systemClock, type Clock } from '../../src/observability/clock.ts';
import { createMetrics } from '../../src/observability/metrics.ts';
import { createTestDatabase, type TestDatabase } from './test-database.ts';
import { silentLogger } from './silent-logger.ts';

// A real desk for tests: real database (PGlite or PostgreSQL), real KB service, real core and
// dispatcher. Only the platforms are replaced — by RecordingSender here, or by the real
// adapters talking to the fakes in test/fakes.

export interface TestDesk {
  database: TestDatabase;
  kb: KnowledgeBaseService;
  core: Core;
  /** Decides every stored message and sends everything due, over and over, until nothing is due. */
  drain(): Promise<number>;
  /** Drains, then tells what the pipeline made of a delivery: its conversation and outcome. */
  decided(result: InboundResult): Promise<InboundResult>;
  dispose(): Promise<void>;
}

export async function createTestDesk(
  options: {
    settings?: Partial<CoreSettings>;
    dispatcher?: DispatcherOptions;
    /** The core's one clock (a TestClock to move time); real time by default. */
    clock?: Clock;
    /**
     * The older way to move time: how far this function has moved since the desk was made is
     * added to real time (the clock must not fall behind the rows the database stamps).
     */
    now?: () => Date;
    senders?: Sender[];
    thresholds?: DecisionThresholds;
    /** Drafts for the founder (the real src/llm drafter against a fake server, in LLM tests). */
    drafter?: Drafter;
  } = {},
): Promise<TestDesk> {
  const database = await createTestDatabase();
  const kb = createKnowledgeBase(database.db.prisma, {
    syncIntervalMs: 0,
    // the run's kept fits (vitest.config.ts)
    fitCacheDir: process.env.KB_FIT_CACHE_DIR,
    ...(options.thresholds ? { thresholds: options.thresholds } : {}),
  });
  const core = createCore({
    prisma: database.db.prisma,
    kb,
    logger: silentLogger(),
    metrics: createMetrics(),
    ...(options.settings ? { settings: options.settings } : {}),
    // Retries are due at once, so one drain shows a whole retry story without waiting on a clock.
    dispatcher: { baseBackoffMs: 0, maxBackoffMs: 0, recordRetryDelaysMs: [], ...options.dispatcher },
    processor: { baseBackoffMs: 0, maxBackoffMs: 0 },
    ...(options.clock ? { clock: options.clock } : options.now ? { clock: movedBy(options.now) } : {}),
    ...(options.drafter ? { drafter: options.drafter } : {}),
  });
  for (const sender of options.senders ?? []) core.dispatcher.registerSender(sender);
  const drain = async (): Promise<number> => {
    let total = 0;
    for (;;) {
      const handled = (await core.processor.drain()) + (await core.dispatcher.drain());
      if (handled === 0) return total;
      total += handled;
    }
  };
  return {
    database,
    kb,
    core,
    drain,
    async decided(result) {
      await drain();
      if (!result.inboundId) return result;
      const row = await database.db.prisma.inboundEvent.findUniqueOrThrow({ where: { id: result.inboundId } });
      return {
        ...result,
        ...(row.conversationId ? { conversationId: row.conversationId } : {}),
        ...(row.outcome && !result.duplicate ? { outcome: row.outcome } : {}),
      };
    },
    async dispose() {
      await core.processor.stop();
      await core.dispatcher.stop();
      await database.dispose();
    },
  };
}

/** Real time, moved forward by as much as `now` has moved since this was called. */
function movedBy(now: () => Date): Clock {
  const first = now().getTime();
  return { ...systemClock, now: () => Date.now() + (now().getTime() - first) };
}

/** A platform that records what it was asked to deliver; failures can be scripted. */
export class RecordingSender implements Sender {
  readonly delivered: Delivery[] = [];
  readonly attempts: Delivery[] = [];
  private readonly failures: Array<() => Error> = [];
  private counter = 0;

  constructor(
    readonly channel: string,
    readonly limits?: Sender['limits'],
  ) {}

  failNext(make: () => Error, times = 1): void {
    for (let i = 0; i < times; i++) this.failures.push(make);
  }

  async send(delivery: Delivery): Promise<SendResult> {
    this.attempts.push(delivery);
    const failure = this.failures.shift();
    if (failure) throw failure();
    this.delivered.push(delivery);
    return { platformMessageIds: [`${this.channel}-${++this.counter}`] };
  }

  /** Texts delivered to customers, in order. */
  texts(): string[] {
    return this.delivered.flatMap((d) =>
      d.channel !== FOUNDER_CHANNEL && d.payload.type === 'customer_message' ? [d.payload.message.text] : [],
    );
  }

  /** What a founder console was told, in order. */
  notices(): FounderNotice[] {
    return this.delivered.filter((d) => d.channel === FOUNDER_CHANNEL).map((d) => d.payload as FounderNotice);
  }
}

/**
 * Drains the desk until `check` holds and returns what it found. The deadline only guards against
 * a hang (a test that never gets there fails with `what`); no timing is asserted.
 */
export async function settleDesk<T>(desk: Pick<TestDesk, 'drain'>, check: () => T | Promise<T>, what = 'condition'): Promise<NonNullable<T>> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    await desk.drain();
    const value = await check();
    if (value) return value as NonNullable<T>;
    if (Date.now() > deadline) throw new Error(`settle: ${what} never happened`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

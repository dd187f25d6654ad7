/**
 * One run of the load benchmark: fresh database, fake Telegram and Slack in this process,
 * Solodesk as a child process, customers over real webhooks (open or closed loop), redelivery of
 * what was refused, a drain until every accepted message is answered, then the verdict from the
 * fakes' records and the database.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import { startFakeSlack } from '../../test/fakes/slack-web-api.ts';
import { startFakeTelegram } from '../../test/fakes/telegram-bot-api.ts';
import {
  chatsWithPendingWork, customerMessage, deliver, deskEnv, durablyReceived, inboxStatuses, isAck, outboxStatuses, redeliveryDelayMs, ReplyLedger, SECRETS,
  storedCustomerMessages, storedKey, WebhookClient, type CustomerMessage, type DeliveryResult, type Query,
} from '../../test/reliability/platforms.ts';
import { createFreshPostgresDatabase, startSolodesk, type ProcessStats } from '../../test/support/solodesk-process.ts';
import type { DbKind, LoadOptions } from './options.ts';
import { summariseProfiles, type ProfileSummary } from './profile.ts';
import { machineBusyPct, machineCpu, max, percentile, round } from './stats.ts';

interface Tracked {
  m: CustomerMessage;
  attempts: number;
  ackedAt?: number;
  gaveUp?: boolean;
  last?: DeliveryResult;
}

export interface RunResult {
  db: DbKind;
  mode: 'open' | 'closed';
  rate: number | null;
  concurrency: number | null;
  duration_s: number;
  slack_share: number;
  offered: number;
  offered_msgs_per_s: number | null;
  accepted: number;
  accepted_in_window: number;
  accepted_msgs_per_s: number | null;
  requests: number;
  webhook_p50_ms: number | null;
  webhook_p99_ms: number | null;
  webhook_max_ms: number | null;
  /** How long deliveries waited for one of the platform's connections (its own queue). */
  queue_wait_p99_ms: number | null;
  queue_wait_max_ms: number | null;
  statuses: Record<string, number>;
  refusals: number;
  refusals_within_1s: number;
  refusals_within_1s_share: number | null;
  unacknowledged: number;
  replied: number;
  reply_p50_ms: number | null;
  reply_p99_ms: number | null;
  reply_telegram_p50_ms: number | null;
  reply_telegram_p99_ms: number | null;
  reply_slack_p50_ms: number | null;
  reply_slack_p99_ms: number | null;
  founder_posts: number;
  /** Founder-channel posts that repeat an earlier one (same thread, same text). */
  duplicated_founder_posts: number;
  lost: number;
  lost_unstored: number;
  /** Acknowledged, not answered, and nothing pending for it in the desk's inbox or outbox. */
  lost_unanswered: number;
  /** Acknowledged and not answered when the drain ended, but still pending in the desk. */
  backlog_at_end: number;
  duplicated: number;
  duplicated_stored: number;
  duplicated_replies: number;
  errors: number;
  server_error_lines: number;
  /** The first few distinct error messages the server logged. */
  server_first_errors: string[];
  inbox: Record<string, number>;
  outbox: Record<string, number>;
  server_cpu_load_pct: number | null;
  server_cpu_drain_pct: number | null;
  /** The server's event-loop delay during the load (its own /metrics), p99 and max. */
  server_event_loop_p99_ms: number | null;
  server_event_loop_max_ms: number | null;
  server_peak_rss_mb: number | null;
  machine_cpu_load_pct: number | null;
  bench_cpu_load_pct: number | null;
  generator_lag_max_ms: number | null;
  drain_s: number;
  drained: boolean;
  alive: boolean;
  /** How the process ended when it died during the run. */
  exit: string | null;
  healthy_after: boolean;
  clean_stop: boolean;
  /** With --profile: where the server's CPU time went. */
  profile: ProfileSummary | null;
}

export type Progress = (line: string) => void;

export async function runLoad(db: DbKind, o: LoadOptions, progress: Progress): Promise<RunResult> {
  const cleanups: Array<() => Promise<void> | void> = [];
  const cleanup = async (): Promise<void> => {
    for (const step of cleanups.reverse()) {
      try {
        await step();
      } catch (error) {
        progress(`cleanup: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
  };
  const onSignal = (): void => {
    void cleanup().finally(() => process.exit(130));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    return await run(db, o, progress, cleanups);
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await cleanup();
  }
}

async function run(db: DbKind, o: LoadOptions, progress: Progress, cleanups: Array<() => Promise<void> | void>): Promise<RunResult> {
  const telegram = await startFakeTelegram({ token: SECRETS.telegramToken });
  cleanups.push(() => telegram.close());
  const slack = await startFakeSlack({ token: SECRETS.slackBotToken });
  cleanups.push(() => slack.close());
  const env = deskEnv({ telegram, slack });
  let openQuery: () => Promise<{ query: Query; close: () => Promise<void> }>;
  if (db === 'postgres') {
    const fresh = await createFreshPostgresDatabase('solodesk_bench', o.pgAdminUrl);
    cleanups.push(() => fresh.drop());
    env.DATABASE_URL = fresh.url;
    openQuery = async () => {
      const client = new pg.Client({ connectionString: fresh.url });
      await client.connect();
      return { query: async (sql) => (await client.query(sql)).rows as Array<Record<string, unknown>>, close: () => client.end() };
    };
  } else {
    const dataDir = mkdtempSync(join(tmpdir(), 'solodesk-bench-'));
    cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }));
    env.SOLODESK_DATA_DIR = dataDir;
    openQuery = async () => {
      // Only once the desk has stopped: the data folder belongs to one process at a time.
      const client = new PGlite(join(dataDir, 'pgdata'));
      await client.waitReady;
      return { query: async (sql) => (await client.query<Record<string, unknown>>(sql)).rows, close: () => client.close() };
    };
  }

  const nodeArgs: string[] = [];
  if (o.profileDir !== undefined) {
    mkdirSync(o.profileDir, { recursive: true });
    nodeArgs.push('--cpu-prof', `--cpu-prof-dir=${o.profileDir}`);
  }
  progress(`starting solodesk on ${db}…`);
  const desk = await startSolodesk({ env, nodeArgs, ...(o.appDir ? { appDir: o.appDir } : {}), readyTimeoutMs: 180_000 });
  cleanups.push(() => desk.kill());
  const clients = {
    telegram: new WebhookClient(desk.origin, { connections: o.connections }),
    slack: new WebhookClient(desk.origin, { connections: o.connections }),
  };
  cleanups.push(() => {
    clients.telegram.close();
    clients.slack.close();
  });
  const ledger = new ReplyLedger({ telegram, slack }).start(20);
  cleanups.push(() => ledger.stop());

  const tracked: Tracked[] = [];
  const latencies: number[] = [];
  const queueWaits: number[] = [];
  const statuses: Record<string, number> = {};
  let refusals = 0;
  let refusalsFast = 0;
  let errors = 0;
  let pendingRedeliveries = 0;
  let inFlight = 0;
  let lastProgressAt = Date.now();
  // Set when the run is over: late answers are not counted, and nothing is delivered any more.
  let closed = false;
  const timers = new Set<NodeJS.Timeout>();
  cleanups.push(() => {
    closed = true;
    for (const timer of timers) clearTimeout(timer);
  });

  const attempt = async (t: Tracked): Promise<void> => {
    if (closed) return;
    const n = t.attempts++;
    inFlight += 1;
    const result = await deliver(clients[t.m.platform], t.m, n, t.last);
    inFlight -= 1;
    if (closed) return;
    t.last = result;
    latencies.push(result.ms);
    queueWaits.push(result.queuedMs);
    const key = String(result.status);
    statuses[key] = (statuses[key] ?? 0) + 1;
    if (isAck(result)) {
      if (t.ackedAt === undefined) {
        t.ackedAt = Date.now();
        lastProgressAt = t.ackedAt;
      }
      return;
    }
    refusals += 1;
    if (typeof result.status === 'number' && result.ms <= 1000) refusalsFast += 1;
    // Timeouts are counted in `statuses`; errors are failed connections and non-retryable answers.
    if (result.status === 'error' || (typeof result.status === 'number' && result.status !== 429 && result.status !== 503)) errors += 1;
    if (t.attempts >= o.maxAttempts) {
      t.gaveUp = true;
      return;
    }
    // The platform delivers again later (Retry-After, or its own backoff).
    pendingRedeliveries += 1;
    const timer = setTimeout(() => {
      timers.delete(timer);
      pendingRedeliveries -= 1;
      void attempt(t);
    }, redeliveryDelayMs(result, t.attempts));
    timers.add(timer);
  };
  const newMessage = (): Tracked => {
    const t: Tracked = { m: customerMessage(tracked.length, { slackShare: o.slackShare }), attempts: 0 };
    tracked.push(t);
    return t;
  };

  // Load. Reading /metrics now starts the server's event-loop delay histogram afresh.
  await eventLoopDelay(desk.origin);
  const serverBefore = desk.stats();
  const machineBefore = machineCpu();
  const benchBefore = process.cpuUsage();
  const loadStart = Date.now();
  const loadStartPerf = performance.now();
  let lagMax = 0;
  const ticker = setInterval(() => {
    const answered = tracked.filter((t) => ledger.repliesTo(t.m.chat).length > 0).length;
    progress(`  ${((Date.now() - loadStart) / 1000).toFixed(0)} s: offered ${tracked.length}, acknowledged ${tracked.filter((t) => t.ackedAt !== undefined).length}, answered ${answered}, in flight ${inFlight}, waiting for redelivery ${pendingRedeliveries}`);
  }, 5_000);
  if (o.mode === 'open') {
    const total = Math.max(1, Math.round(o.rate * o.duration));
    await new Promise<void>((resolve) => {
      const tick = (): void => {
        const now = performance.now();
        const due = Math.min(total, Math.floor(((now - loadStartPerf) * o.rate) / 1000) + 1);
        while (tracked.length < due) {
          lagMax = Math.max(lagMax, now - (loadStartPerf + (tracked.length * 1000) / o.rate));
          void attempt(newMessage());
        }
        if (tracked.length < total) setTimeout(tick, 1);
        else resolve();
      };
      tick();
    });
    // The load lasts `duration`, however fast the last messages went out.
    const rest = o.duration * 1000 - (performance.now() - loadStartPerf);
    if (rest > 0) await new Promise((resolve) => setTimeout(resolve, rest));
  } else {
    const end = loadStartPerf + o.duration * 1000;
    await Promise.all(Array.from({ length: o.concurrency }, async () => {
      // A refusal is redelivered in the background, as the platform would; the worker moves on.
      while (performance.now() < end) {
        await attempt(newMessage());
      }
    }));
  }
  const loadEnd = Date.now();
  const serverAfterLoad = desk.stats();
  const loopUnderLoad = await eventLoopDelay(desk.origin);
  const machineAfterLoad = machineCpu();
  const benchCpu = process.cpuUsage(benchBefore);
  const loadSeconds = (loadEnd - loadStart) / 1000;

  // Drain: every message acknowledged (or given up by its platform) and every acknowledged one answered.
  progress(`load done (${tracked.length} offered in ${loadSeconds.toFixed(1)} s); draining…`);
  let answeredCount = 0;
  let drained = false;
  for (;;) {
    ledger.poll();
    let open = 0;
    let answered = 0;
    for (const t of tracked) {
      if (t.ackedAt === undefined) {
        if (!t.gaveUp) open += 1;
      } else if (ledger.repliesTo(t.m.chat).length > 0) answered += 1;
      else open += 1;
    }
    if (answered !== answeredCount) {
      answeredCount = answered;
      lastProgressAt = Date.now();
    }
    if (open === 0 && pendingRedeliveries === 0 && inFlight === 0) {
      drained = true;
      break;
    }
    const now = Date.now();
    if (now - loadEnd > o.drainTimeout * 1000 || now - lastProgressAt > o.drainIdle * 1000 || !desk.alive()) break;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  clearInterval(ticker);
  closed = true;
  for (const timer of timers) clearTimeout(timer);
  const drainEnd = Date.now();
  const serverAfterDrain = desk.stats();
  const alive = desk.alive();
  let healthyAfter = false;
  if (alive) {
    try {
      healthyAfter = (await fetch(`${desk.origin}/healthz`, { signal: AbortSignal.timeout(5_000) })).status === 200;
    } catch {
      healthyAfter = false;
    }
  }
  const exitedEarly = alive ? undefined : await desk.exited;
  const stopped = await desk.stop(15_000);
  // What the desk sent until it stopped counts too: its database says it was sent.
  ledger.stop();
  progress(`solodesk stopped (${stopped.clean ? 'cleanly' : `code ${stopped.code}, signal ${stopped.signal}`}); reading the database…`);

  const profile = o.profileDir !== undefined && stopped.clean ? summariseProfiles(o.profileDir, desk.pid) : undefined;
  const database = await openQuery();
  let stored: Map<string, number>;
  let held: Set<string>;
  let inbox: Record<string, number>;
  let outbox: Record<string, number>;
  let pending: Set<string>;
  try {
    pending = await chatsWithPendingWork(database.query);
    stored = await storedCustomerMessages(database.query);
    held = await durablyReceived(database.query);
    inbox = await inboxStatuses(database.query);
    outbox = await outboxStatuses(database.query);
  } finally {
    await database.close();
  }

  const acked = tracked.filter((t) => t.ackedAt !== undefined);
  // Acknowledged but neither stored as a message nor held in the durable inbox.
  const unstored = acked.filter((t) => !held.has(storedKey(t.m)));
  const unanswered = acked.filter((t) => ledger.repliesTo(t.m.chat).length === 0);
  // Not answered yet but still in the desk's inbox or outbox: a backlog the drain did not wait out.
  const backlog = unanswered.filter((t) => pending.has(storedKey(t.m)));
  const neverAnswered = unanswered.filter((t) => held.has(storedKey(t.m)) && !pending.has(storedKey(t.m)));
  const storedTwice = tracked.filter((t) => (stored.get(storedKey(t.m)) ?? 0) > 1);
  const answeredTwice = tracked.filter((t) => ledger.repeatedTo(t.m.chat).length > 0);
  const replyTimes = { telegram: [] as number[], slack: [] as number[] };
  for (const t of acked) {
    const first = ledger.repliesTo(t.m.chat)[0];
    if (first !== undefined) replyTimes[t.m.platform].push(Math.max(0, first.at - t.ackedAt!));
  }
  const allReplyTimes = [...replyTimes.telegram, ...replyTimes.slack];
  const cpuPct = (a: ProcessStats | undefined, b: ProcessStats | undefined, seconds: number): number | null =>
    a === undefined || b === undefined || seconds <= 0 ? null : round((100 * (b.cpuSeconds - a.cpuSeconds)) / seconds);
  const union = (a: Tracked[], b: Tracked[]): number => new Set([...a, ...b]).size;

  return {
    db,
    mode: o.mode,
    rate: o.mode === 'open' ? o.rate : null,
    concurrency: o.mode === 'closed' ? o.concurrency : null,
    duration_s: round(loadSeconds, 2)!,
    slack_share: o.slackShare,
    offered: tracked.length,
    offered_msgs_per_s: round(tracked.length / loadSeconds),
    accepted: acked.length,
    accepted_in_window: acked.filter((t) => t.ackedAt! <= loadEnd).length,
    accepted_msgs_per_s: round(acked.filter((t) => t.ackedAt! <= loadEnd).length / loadSeconds),
    requests: latencies.length,
    webhook_p50_ms: round(percentile(latencies, 50), 2),
    webhook_p99_ms: round(percentile(latencies, 99), 2),
    webhook_max_ms: round(max(latencies), 2),
    queue_wait_p99_ms: round(percentile(queueWaits, 99), 1),
    queue_wait_max_ms: round(max(queueWaits), 1),
    statuses,
    refusals,
    refusals_within_1s: refusalsFast,
    refusals_within_1s_share: refusals === 0 ? null : round(refusalsFast / refusals, 4),
    unacknowledged: tracked.length - acked.length,
    replied: acked.length - unanswered.length,
    reply_p50_ms: round(percentile(allReplyTimes, 50), 0),
    reply_p99_ms: round(percentile(allReplyTimes, 99), 0),
    reply_telegram_p50_ms: round(percentile(replyTimes.telegram, 50), 0),
    reply_telegram_p99_ms: round(percentile(replyTimes.telegram, 99), 0),
    reply_slack_p50_ms: round(percentile(replyTimes.slack, 50), 0),
    reply_slack_p99_ms: round(percentile(replyTimes.slack, 99), 0),
    founder_posts: ledger.founderPosts.length,
    duplicated_founder_posts: ledger.founderPosts.length - new Set(ledger.founderPosts.map((p) => `${p.threadTs ?? ''}\u0000${p.text}`)).size,
    lost: union(unstored, neverAnswered),
    lost_unstored: unstored.length,
    lost_unanswered: neverAnswered.length,
    backlog_at_end: backlog.length,
    duplicated: union(storedTwice, answeredTwice),
    duplicated_stored: storedTwice.length,
    duplicated_replies: answeredTwice.length,
    errors,
    server_error_lines: desk.errorLines().length,
    server_first_errors: firstErrors(desk.errorLines()),
    inbox,
    outbox,
    server_cpu_load_pct: cpuPct(serverBefore, serverAfterLoad, loadSeconds),
    server_cpu_drain_pct: cpuPct(serverAfterLoad, serverAfterDrain, (drainEnd - loadEnd) / 1000),
    server_event_loop_p99_ms: loopUnderLoad?.p99 ?? null,
    server_event_loop_max_ms: loopUnderLoad?.max ?? null,
    server_peak_rss_mb: serverAfterDrain === undefined ? null : round(serverAfterDrain.peakRssBytes / 2 ** 20, 0),
    machine_cpu_load_pct: round(machineBusyPct(machineBefore, machineAfterLoad)),
    bench_cpu_load_pct: round((100 * (benchCpu.user + benchCpu.system)) / 1e6 / loadSeconds),
    generator_lag_max_ms: o.mode === 'open' ? round(lagMax, 1) : null,
    drain_s: round((drainEnd - loadEnd) / 1000, 1)!,
    drained,
    alive,
    exit: exitedEarly === undefined ? null : `code ${exitedEarly.code}, signal ${exitedEarly.signal}`,
    healthy_after: healthyAfter,
    clean_stop: stopped.clean,
    profile: profile ?? null,
  };
}

function firstErrors(lines: string[], limit = 3): string[] {
  const seen = new Set<string>();
  for (const line of lines) {
    let text = line;
    try {
      const entry = JSON.parse(line) as { msg?: unknown; err?: { message?: unknown } };
      text = `${String(entry.msg ?? '')}${entry.err?.message !== undefined ? `: ${String(entry.err.message)}` : ''}`;
    } catch {
      // not JSON: keep the line
    }
    seen.add(text.replace(/\s+/g, ' ').slice(0, 200));
    if (seen.size >= limit) break;
  }
  return [...seen];
}

/**
 * The server's event-loop delay since the last read, from its /metrics (prom-client resets the
 * histogram on each read); undefined when it does not answer in time.
 */
async function eventLoopDelay(origin: string): Promise<{ p99: number; max: number } | undefined> {
  try {
    const text = await (await fetch(`${origin}/metrics`, { signal: AbortSignal.timeout(30_000) })).text();
    const read = (name: string): number | undefined => {
      const match = new RegExp(`^\\w*nodejs_eventloop_lag_${name}_seconds(?:\\{[^}]*\\})? ([0-9.e+-]+)$`, 'm').exec(text);
      return match === null ? undefined : Math.round(Number(match[1]) * 1000 * 10) / 10;
    };
    const p99 = read('p99');
    const max = read('max');
    return p99 === undefined || max === undefined ? undefined : { p99, max };
  } catch {
    return undefined;
  }
}

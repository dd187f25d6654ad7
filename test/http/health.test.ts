import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/env.ts';
import { databaseProbe } from '../../src/observability/health.ts';
import { startService, type RunningService, type ServicePart } from '../../src/service.ts';
import { captureLogger } from '../support/capture-logger.ts';
import { ManualClock } from '../observability/manual-clock.ts';
import { createPostgresDatabase, dropPostgresDatabase, onPostgres } from '../support/test-database.ts';

// /healthz tells the truth: 503 while starting and while the database does not answer; every
// part's state in the body and in solodesk_part_up; a channel that failed is retried with
// backoff until it runs, and says so. The port is bound before the database is touched.

const scratch = mkdtempSync(join(tmpdir(), 'solodesk-health-'));
const pgUrls: string[] = [];
let service: RunningService | undefined;

afterEach(async () => {
  await service?.stop();
  service = undefined;
});
afterAll(async () => {
  rmSync(scratch, { recursive: true, force: true });
  for (const url of pgUrls) await dropPostgresDatabase(url);
});

async function config(env: Record<string, string> = {}) {
  const url = onPostgres ? await createPostgresDatabase() : undefined;
  if (url) pgUrls.push(url);
  return loadConfig({ PORT: '0', SOLODESK_DATA_DIR: 'memory://', ...(url ? { DATABASE_URL: url } : {}), ...env });
}

async function health(port: number): Promise<{ status: number; body: { status: string; parts: Record<string, string> } }> {
  const response = await fetch(`http://127.0.0.1:${port}/healthz`);
  return { status: response.status, body: (await response.json()) as { status: string; parts: Record<string, string> } };
}

async function metric(port: number, line: string): Promise<string | undefined> {
  const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  return text.split('\n').find((l) => l.startsWith(line));
}

/** Lets the promise callbacks that follow a timer run (no time passes). */
const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('the database probe', () => {
  it('asks once for a storm of checks, reuses the answer for a second, and gives up on a database that hangs', async () => {
    const clock = new ManualClock();
    let queries = 0;
    let answer: () => Promise<unknown> = async () => undefined;
    const probe = databaseProbe({ query: () => (queries++, answer()), clock, cacheMs: 1_000, timeoutMs: 2_000 });

    expect(await Promise.all(Array.from({ length: 20 }, () => probe()))).toEqual(Array(20).fill(true));
    expect(queries).toBe(1);
    clock.advance(999);
    expect(await probe()).toBe(true);
    expect(queries).toBe(1);

    clock.advance(1);
    answer = () => Promise.reject(new Error('connection refused'));
    expect(await probe()).toBe(false);
    expect(queries).toBe(2);

    clock.advance(1_000);
    answer = () => new Promise(() => undefined);
    const hanging = probe();
    await settle();
    expect(clock.pending()).toEqual([2_000]);
    clock.advance(2_000);
    expect(await hanging).toBe(false);
  });
});

describe('/healthz', () => {
  it('answers 503 once the database is unreachable (after the cached answer expires)', async () => {
    const clock = new ManualClock();
    service = await startService(await config(), { logger: captureLogger().logger, clock });
    const { port } = service;
    expect(await health(port)).toMatchObject({ status: 200, body: { status: 'ok' } });

    await service.context.db.close();
    // The answer of a moment ago still stands: a scrape storm does not reach the database.
    expect((await health(port)).status).toBe(200);
    clock.advance(1_000);
    expect(await health(port)).toMatchObject({ status: 503, body: { status: 'database_unreachable' } });
    // The database is closed already: close only what is left.
    await service.context.http.close();
    service = undefined;
  });

  it('retries a channel that failed with exponential backoff until it runs, and reports each state', async () => {
    const clock = new ManualClock();
    const captured = captureLogger();
    let attempts = 0;
    const flaky: ServicePart = {
      name: 'telegram',
      async start() {
        attempts += 1;
        if (attempts <= 3) throw new Error(`refused (attempt ${attempts})`);
      },
      async stop() {},
    };
    service = await startService(await config(), {
      logger: captured.logger,
      clock,
      retry: { firstDelayMs: 1_000, maxDelayMs: 60_000 },
      parts: () => [flaky],
    });
    const { port } = service;
    expect(await health(port)).toMatchObject({ status: 200, body: { status: 'ok', parts: { telegram: 'retrying' } } });
    expect(await metric(port, 'solodesk_part_up{part="telegram"}')).toBe('solodesk_part_up{part="telegram"} 0');

    const delays: number[] = [];
    while (attempts <= 3) {
      const [next] = clock.pending();
      delays.push(next!);
      clock.advance(next!);
      await settle();
    }
    expect(delays).toEqual([1_000, 2_000, 4_000]);
    expect(attempts).toBe(4);
    expect(await health(port)).toMatchObject({ status: 200, body: { parts: { telegram: 'running' } } });
    expect(await metric(port, 'solodesk_part_up{part="telegram"}')).toBe('solodesk_part_up{part="telegram"} 1');
    expect(await metric(port, 'solodesk_part_start_failures_total{part="telegram"}')).toBe('solodesk_part_start_failures_total{part="telegram"} 3');
    const messages = captured.records().map((r) => r.msg);
    expect(messages.filter((m) => m === 'telegram did not start; retrying in 1 s, the rest keeps running')).toHaveLength(1);
    expect(messages).toContain('telegram recovered: running again');

    await service.stop();
    expect(await service.context.metrics.partUp.get()).toMatchObject({ values: [{ labels: { part: 'telegram' }, value: 0 }] });
    service = undefined;
  });

  it('is 503 while starting, and webhook routes answer 503 with Retry-After until the parts are up', async () => {
    const captured = captureLogger();
    let release!: () => void;
    let partStarting!: () => void;
    const starting = new Promise<void>((resolve) => (partStarting = resolve));
    const starts = startService(await config(), {
      logger: captured.logger,
      host: '127.0.0.1',
      parts: ({ http }) => {
        http.addRoute({ method: 'POST', path: '/hook', handler: (_req, res) => void res.end('stored') });
        return [
          {
            name: 'kb',
            required: true,
            start: async () => {
              partStarting();
              await new Promise<void>((resolve) => (release = resolve));
            },
            stop: async () => undefined,
          },
        ];
      },
    });
    await starting;
    const listening = captured.records().find((r) => r.msg === 'listening; migrating the database and starting the parts');
    const port = Number(listening?.port);
    expect(await health(port)).toMatchObject({ status: 503, body: { status: 'starting', parts: { kb: 'starting' } } });
    const early = await fetch(`http://127.0.0.1:${port}/hook`, { method: 'POST', body: '{}' });
    expect(early.status).toBe(503);
    expect(early.headers.get('retry-after')).toBe('5');

    release();
    service = await starts;
    expect(await health(port)).toMatchObject({ status: 200, body: { status: 'ok', parts: { kb: 'running' } } });
    expect(await (await fetch(`http://127.0.0.1:${port}/hook`, { method: 'POST', body: '{}' })).text()).toBe('stored');
  });
});

describe('the port', () => {
  let occupant: Server | undefined;
  afterEach(async () => {
    await new Promise((resolve) => occupant?.close(resolve) ?? resolve(undefined));
  });

  it('already in use fails the start at once, naming PORT, before the database is touched', async () => {
    occupant = createServer();
    await new Promise<void>((resolve) => occupant!.listen(0, '127.0.0.1', resolve));
    const port = (occupant.address() as { port: number }).port;
    const dataDir = join(scratch, 'never-opened');
    const busy = loadConfig({ PORT: String(port), SOLODESK_DATA_DIR: dataDir });
    await expect(startService(busy, { logger: captureLogger().logger, host: '127.0.0.1' })).rejects.toThrow(
      new RegExp(`^PORT: 127\\.0\\.0\\.1:${port} is already in use`),
    );
    expect(existsSync(dataDir)).toBe(false);
  });
});

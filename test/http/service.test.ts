import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/env.ts';
import { startService, type ServicePart } from '../../src/service.ts';
import { createPostgresDatabase, dropPostgresDatabase, onPostgres } from '../support/test-database.ts';
import { silentLogger } from '../support/silent-logger.ts';
import { ManualClock } from '../observability/manual-clock.ts';

const dataDir = mkdtempSync(join(tmpdir(), 'solodesk-service-'));
let pgUrl: string | undefined;

async function configForThisRun() {
  if (onPostgres) pgUrl ??= await createPostgresDatabase();
  return loadConfig({ PORT: '0', SOLODESK_DATA_DIR: dataDir, ...(pgUrl ? { DATABASE_URL: pgUrl } : {}) });
}

afterAll(async () => {
  rmSync(dataDir, { recursive: true, force: true });
  if (pgUrl) await dropPostgresDatabase(pgUrl);
});

describe('startService', () => {
  it('serves /healthz, /metrics and 404, and keeps its data across a restart', async () => {
    const config = await configForThisRun();
    const first = await startService(config, { logger: silentLogger() });
    const base = `http://127.0.0.1:${first.port}`;
    const health = await fetch(`${base}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({ status: 'ok', database: onPostgres ? 'postgresql' : 'pglite' });
    const metrics = await (await fetch(`${base}/metrics`)).text();
    expect(metrics).toContain('# TYPE solodesk_inbound_messages_total counter');
    expect((await fetch(`${base}/nowhere`)).status).toBe(404);
    await first.context.db.prisma.customer.create({ data: { displayName: 'Ada' } });
    await first.stop();

    const second = await startService(config, { logger: silentLogger() });
    try {
      expect(await second.context.db.prisma.customer.count({ where: { displayName: 'Ada' } })).toBe(1);
    } finally {
      await second.stop();
    }
  });

  it('keeps running when an optional part fails to start, and reports it as retrying', async () => {
    const config = await configForThisRun();
    const events: string[] = [];
    const part = (name: string, fail = false): ServicePart => ({
      name,
      async start() {
        if (fail) throw new Error(`${name} is broken`);
        events.push(`start ${name}`);
      },
      async stop() {
        events.push(`stop ${name}`);
      },
    });
    const service = await startService(config, {
      logger: silentLogger(),
      clock: new ManualClock(),
      parts: () => [part('telegram'), part('wechat', true), part('slack')],
    });
    const body = (await (await fetch(`http://127.0.0.1:${service.port}/healthz`)).json()) as { parts: unknown };
    expect(body.parts).toEqual({ telegram: 'running', wechat: 'retrying', slack: 'running' });
    await service.stop();
    expect(events).toEqual(['start telegram', 'start slack', 'stop slack', 'stop telegram']);
  });

  it('finishes a request in flight before it stops', async () => {
    const config = await configForThisRun();
    let release!: () => void;
    let arrived!: () => void;
    const inHandler = new Promise<void>((resolve) => (arrived = resolve));
    const service = await startService(config, {
      logger: silentLogger(),
      parts: ({ http }) => {
        http.addRoute({
          method: 'GET',
          path: '/slow',
          handler: async (_req, res) => {
            const released = new Promise<void>((resolve) => (release = resolve));
            arrived();
            await released;
            res.end('done');
          },
        });
        return [];
      },
    });
    const inFlight = fetch(`http://127.0.0.1:${service.port}/slow`).then((r) => r.text());
    await inHandler;
    const stopped = service.stop();
    release();
    expect(await inFlight).toBe('done');
    await stopped;
  });
});

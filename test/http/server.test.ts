import { afterEach, describe, expect, it } from 'vitest';
import { OverloadedError } from '../../src/errors.ts';
import { createHttpServer, type HttpServer } from '../../src/http/server.ts';
import { createMetrics } from '../../src/observability/metrics.ts';
import { captureLogger } from '../support/capture-logger.ts';

// The HTTP layer on its own: what a platform hears when a route fails, and the gate that turns
// webhooks away (retryably) while the service is not taking work.

let http: HttpServer | undefined;
afterEach(async () => {
  await http?.close(0);
  http = undefined;
});

async function serve(accepting: () => boolean): Promise<{ url: (path: string) => string; log: ReturnType<typeof captureLogger> }> {
  const log = captureLogger();
  http = createHttpServer({ logger: log.logger, metrics: createMetrics(), readiness: () => ({ ready: accepting(), details: {} }), accepting });
  http.addRoute({ method: 'POST', path: '/busy', handler: () => Promise.reject(new OverloadedError('inbox full', 2_500)) });
  http.addRoute({ method: 'POST', path: '/broken', handler: () => Promise.reject(new Error('bug')) });
  http.addRoute({ method: 'POST', path: '/fine', handler: (_req, res) => void res.end('ok') });
  const port = await http.listen(0, '127.0.0.1');
  return { url: (path) => `http://127.0.0.1:${port}${path}`, log };
}

describe('the HTTP server', () => {
  it('answers an overloaded route 503 with Retry-After in whole seconds, and a failing one 500', async () => {
    const { url, log } = await serve(() => true);
    const busy = await fetch(url('/busy'), { method: 'POST' });
    expect(busy.status).toBe(503);
    expect(busy.headers.get('retry-after')).toBe('3');
    expect(await busy.json()).toEqual({ error: 'overloaded' });
    const broken = await fetch(url('/broken'), { method: 'POST' });
    expect(broken.status).toBe(500);
    expect(log.records().filter((r) => r.msg === 'http handler failed')).toHaveLength(1);
  });

  it('turns every route but /healthz and /metrics away while not accepting, then lets them through', async () => {
    let accepting = false;
    const { url } = await serve(() => accepting);
    for (const path of ['/fine', '/unknown']) {
      const refused = await fetch(url(path), { method: 'POST' });
      expect(refused.status).toBe(503);
      expect(refused.headers.get('retry-after')).toBe('5');
    }
    expect((await fetch(url('/healthz'))).status).toBe(503);
    expect((await fetch(url('/metrics'))).status).toBe(200);
    accepting = true;
    expect(await (await fetch(url('/fine'), { method: 'POST' })).text()).toBe('ok');
    expect((await fetch(url('/unknown'), { method: 'POST' })).status).toBe(404);
    expect((await fetch(url('/healthz'))).status).toBe(200);
  });
});

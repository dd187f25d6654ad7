import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express, { type NextFunction, type Request, type Response } from 'express';
import type { RawHandler, WebhookRoute } from '../core/channel-adapter.ts';
import { OverloadedError } from '../errors.ts';
import type { Logger } from '../observability/logger.ts';
import type { Metrics } from '../observability/metrics.ts';

// Express with no global body parser: the Slack receiver and grammY's webhook handler read and
// verify the raw body themselves, so each route gets the untouched Node request.
// The server listens before the database is migrated (a busy port fails at once); until the
// service accepts work, and again while it stops, every route but /healthz and /metrics answers
// 503 with Retry-After, so platforms deliver again later instead of losing the message.

/** What a platform is told to wait before delivering again while the desk cannot take work. */
const RETRY_AFTER_SECONDS = 5;

// The route type is core's (channels add routes through the ChannelAdapter port); re-exported
// under the names this module has always had.
export type { RawHandler };
export type HttpRoute = WebhookRoute;

export interface Readiness {
  ready: boolean;
  details: Record<string, unknown>;
}

export interface HttpServer {
  readonly server: Server;
  addRoute(route: HttpRoute): void;
  listen(port: number, host?: string): Promise<number>;
  close(graceMs?: number): Promise<void>;
}

export interface HttpServerDeps {
  logger: Logger;
  metrics: Metrics;
  /** The /healthz answer: 200 when ready, 503 otherwise; `details` is the JSON body. */
  readiness: () => Readiness | Promise<Readiness>;
  /** False while starting and stopping: routes answer 503 with Retry-After (default: always true). */
  accepting?: () => boolean;
}

export function createHttpServer(deps: HttpServerDeps): HttpServer {
  const app = express();
  app.disable('x-powered-by');
  const routes = express.Router();

  app.get('/healthz', async (_req, res) => {
    const { ready, details } = await deps.readiness();
    res.set('cache-control', 'no-store');
    res.status(ready ? 200 : 503).json({ status: ready ? 'ok' : 'starting', ...details });
  });
  app.get('/metrics', async (_req, res) => {
    res.type(deps.metrics.registry.contentType).send(await deps.metrics.registry.metrics());
  });
  app.use((_req, res, next) => {
    if (deps.accepting === undefined || deps.accepting()) return next();
    res.set('retry-after', String(RETRY_AFTER_SECONDS)).status(503).json({ error: 'not_ready' });
  });
  app.use(routes);
  app.use((_req, res) => {
    res.status(404).json({ error: 'not_found' });
  });
  app.use((error: unknown, _req: Request, res: Response, _next: NextFunction) => {
    if (error instanceof OverloadedError) {
      // Nothing was stored: the platform is asked to deliver again, which it does.
      // debug: under overload this is every request; solodesk_inbound_refused_total counts them.
      deps.logger.debug({ err: error }, 'request refused: the desk is overloaded');
      if (!res.headersSent) {
        res.set('retry-after', error.retryAfterHeader).status(503).json({ error: 'overloaded' });
      }
      return;
    }
    deps.logger.error({ err: error }, 'http handler failed');
    if (!res.headersSent) res.status(500).json({ error: 'internal_error' });
  });

  const server = createServer(app);
  return {
    server,
    addRoute(route) {
      const method = route.method === 'GET' ? 'get' : route.method === 'POST' ? 'post' : 'options';
      routes[method](route.path, async (req, res, next) => {
        try {
          await route.handler(req, res);
        } catch (error) {
          next(error);
        }
      });
    },
    listen(port, host) {
      return new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, host, () => {
          server.off('error', reject);
          resolve((server.address() as AddressInfo).port);
        });
      });
    },
    close(graceMs = 10_000) {
      return new Promise((resolve) => {
        if (!server.listening) return resolve();
        // Stop accepting, let in-flight requests finish, then cut what is left.
        const force = setTimeout(() => server.closeAllConnections(), graceMs);
        force.unref();
        server.close(() => {
          clearTimeout(force);
          resolve();
        });
        server.closeIdleConnections();
      });
    },
  };
}

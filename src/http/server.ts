import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import express, { type NextFunction, type Request, type Response } from 'express';
import type { Logger } from '../observability/logger.ts';
import type { Metrics } from '../observability/metrics.ts';

// Express with no global body parser: the Slack receiver and grammY's webhook handler read and
// verify the raw body themselves, so each route gets the untouched Node request.

export type RawHandler = (req: IncomingMessage, res: ServerResponse) => void | Promise<void>;

export interface HttpRoute {
  method: 'GET' | 'POST';
  path: string;
  handler: RawHandler;
}

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

export function createHttpServer(deps: { logger: Logger; metrics: Metrics; readiness: () => Readiness }): HttpServer {
  const app = express();
  app.disable('x-powered-by');
  const routes = express.Router();

  app.get('/healthz', (_req, res) => {
    const { ready, details } = deps.readiness();
    res.status(ready ? 200 : 503).json({ status: ready ? 'ok' : 'starting', ...details });
  });
  app.get('/metrics', async (_req, res) => {
    res.type(deps.metrics.registry.contentType).send(await deps.metrics.registry.metrics());
  });
  app.use(routes);
  app.use((_req, res) => {
    res.status(404).json({ error: 'not_found' });
  });
  app.use((error: unknown, _req: Request, res: Response, _next: NextFunction) => {
    deps.logger.error({ err: error }, 'http handler failed');
    if (!res.headersSent) res.status(500).json({ error: 'internal_error' });
  });

  const server = createServer(app);
  return {
    server,
    addRoute(route) {
      const method = route.method === 'GET' ? 'get' : 'post';
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

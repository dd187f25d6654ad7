import { createHash } from 'node:crypto';
import type { WebhookRoute } from '../../core/channel-adapter.ts';
import type { Logger } from '../../observability/logger.ts';
import { demoPage } from './demo-page.ts';
import { widgetBundle } from './widget-bundle.ts';

// GET /widget.js (the widget, built from ./widget by esbuild on the first request and kept in
// memory: nothing built is committed or installed) and GET /web/demo (a page that embeds it).

export function webPageRoutes(deps: { logger: Logger; publicUrl: string | undefined }): WebhookRoute[] {
  return [
    {
      method: 'GET',
      path: '/widget.js',
      async handler(req, res) {
        let code: string;
        try {
          code = (await widgetBundle()).code;
        } catch (error) {
          deps.logger.error({ err: error }, 'the web chat widget could not be built');
          res.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' }).end('the widget could not be built; see the server log');
          return;
        }
        const etag = `"${createHash('sha256').update(code).digest('base64url').slice(0, 16)}"`;
        const headers = { etag, 'cache-control': 'public, max-age=300', 'x-content-type-options': 'nosniff' };
        if (req.headers['if-none-match'] === etag) {
          res.writeHead(304, headers).end();
          return;
        }
        res.writeHead(200, { ...headers, 'content-type': 'application/javascript; charset=utf-8' }).end(code);
      },
    },
    {
      method: 'GET',
      path: '/web/demo',
      handler(req, res) {
        const lang = /^zh/i.test(req.headers['accept-language'] ?? '') ? 'zh' : 'en';
        res
          .writeHead(200, {
            'content-type': 'text/html; charset=utf-8',
            'cache-control': 'no-store',
            'content-security-policy': "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:",
          })
          .end(demoPage(lang, deps.publicUrl ?? `http://${req.headers.host ?? 'localhost'}`));
      },
    },
  ];
}

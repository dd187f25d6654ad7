import { randomBytes, timingSafeEqual } from 'node:crypto';
import QRCode from 'qrcode';
import type { WebhookRoute } from '../../core/channel-adapter.ts';

// The WeChat login QR code as a page on our own server, for the founder to scan from another
// screen. The usual Wechaty way is a link to a public QR-rendering site, which would hand the
// account's login code to a third party; here the code never leaves this server. The page exists
// only while a login waits, behind a random key that changes with every code.

export const LOGIN_QR_PATH = '/wechat/login-qr';

/** The page reloads itself this often: puppets replace an unscanned code every minute or so. */
const REFRESH_SECONDS = 15;

export interface LoginQrPage {
  /** Our server's route for the page. */
  readonly route: WebhookRoute;
  /** Shows this code; returns the link to give the founder (none without a public URL). */
  show(qrValue: string): string | undefined;
  /** The login happened (or the session stopped): the page is gone. */
  clear(): void;
}

export function createLoginQrPage(publicUrl: string | undefined): LoginQrPage {
  let current: { value: string; key: Buffer } | undefined;

  const route: WebhookRoute = {
    method: 'GET',
    path: LOGIN_QR_PATH,
    async handler(req, res) {
      const given = Buffer.from(new URL(req.url ?? '/', 'http://localhost').searchParams.get('key') ?? '');
      const shown = current;
      // Constant-time: the key is all that stands between a passer-by and the account's login.
      if (shown === undefined || given.length !== shown.key.length || !timingSafeEqual(given, shown.key)) {
        res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' });
        res.end('No WeChat login is waiting here (it happened, or a newer QR code was sent to the founder console).\n');
        return;
      }
      const svg = await QRCode.toString(shown.value, { type: 'svg', margin: 2, width: 320 });
      res.writeHead(200, {
        'content-type': 'text/html; charset=utf-8',
        'cache-control': 'no-store',
        'referrer-policy': 'no-referrer',
        'x-robots-tag': 'noindex',
      });
      res.end(
        `<!doctype html><html><head><meta charset="utf-8"><meta http-equiv="refresh" content="${REFRESH_SECONDS}">` +
          '<meta name="viewport" content="width=device-width"><title>Solodesk: WeChat login</title></head>' +
          '<body style="font-family:sans-serif;text-align:center"><h1>WeChat login</h1>' +
          "<p>Scan this code with the support account's WeChat app (Me → Scan).</p>" +
          `${svg}</body></html>`,
      );
    },
  };

  return {
    route,
    show(qrValue) {
      current = { value: qrValue, key: Buffer.from(randomBytes(18).toString('base64url')) };
      if (publicUrl === undefined) return undefined;
      return `${publicUrl.replace(/\/+$/, '')}${LOGIN_QR_PATH}?key=${current.key.toString()}`;
    },
    clear() {
      current = undefined;
    },
  };
}

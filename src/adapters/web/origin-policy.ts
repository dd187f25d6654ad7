import type { IncomingMessage, ServerResponse } from 'node:http';

// Which pages may talk to the web chat (WEB_ALLOWED_ORIGINS, plus this server's own pages such as
// /web/demo), and the CORS answer they get. The widget sends no cookies: its token travels in an
// Authorization header that another site's page cannot make the browser attach, so a forged
// cross-site request carries no credentials (no CSRF); the Origin check keeps other sites from
// embedding the widget at all.

export type OriginVerdict = { allowed: true; origin: string | undefined } | { allowed: false; origin: string };

export class OriginPolicy {
  readonly #allowed: Set<string>;

  constructor(allowedOrigins: readonly string[], publicUrl: string | undefined) {
    this.#allowed = new Set(allowedOrigins);
    if (publicUrl) this.#allowed.add(new URL(publicUrl).origin);
  }

  /**
   * A request without Origin is not from another site's page (a same-origin GET, curl): the token
   * still decides what it may do. With Origin, it must be ours (same host as the request) or listed.
   */
  judge(req: IncomingMessage): OriginVerdict {
    const origin = req.headers.origin;
    if (origin === undefined) return { allowed: true, origin: undefined };
    if (this.#allowed.has(origin) || isSameOrigin(origin, req)) return { allowed: true, origin };
    return { allowed: false, origin };
  }

  /** CORS headers for an allowed cross-origin request (none for a same-origin one). */
  corsHeaders(verdict: OriginVerdict): Record<string, string> {
    if (!verdict.allowed || verdict.origin === undefined) return { vary: 'Origin' };
    return {
      'access-control-allow-origin': verdict.origin,
      'access-control-expose-headers': 'Retry-After',
      vary: 'Origin',
    };
  }

  /** The answer to a preflight: 204 with what the widget sends, or 403 for a site not allowed. */
  preflight(req: IncomingMessage, res: ServerResponse): void {
    const verdict = this.judge(req);
    if (!verdict.allowed) {
      res.writeHead(403, { vary: 'Origin' }).end();
      return;
    }
    res
      .writeHead(204, {
        ...this.corsHeaders(verdict),
        'access-control-allow-methods': 'GET, POST',
        'access-control-allow-headers': 'Authorization, Content-Type',
        'access-control-max-age': '600',
      })
      .end();
  }
}

/** The page's origin is this server as the browser reached it (the Host header it sent). */
function isSameOrigin(origin: string, req: IncomingMessage): boolean {
  const host = req.headers.host;
  if (host === undefined) return false;
  try {
    return new URL(origin).host === host;
  } catch {
    return false;
  }
}

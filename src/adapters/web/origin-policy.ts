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

  /**
   * CORS headers for a cross-origin request (none for a same-origin one). A refused site gets them
   * too: its page may read the 403 (the widget then says it is not available here instead of
   * retrying for ever); the refusal itself is the server's, not the browser's.
   */
  corsHeaders(verdict: OriginVerdict): Record<string, string> {
    if (verdict.origin === undefined) return { vary: 'Origin' };
    return {
      'access-control-allow-origin': verdict.origin,
      'access-control-expose-headers': 'Retry-After',
      vary: 'Origin',
    };
  }

  /**
   * The answer to a preflight: what the widget sends. For any site, so that a refused one gets to
   * send its request and read the 403 it is answered with: nothing is done before that answer.
   */
  preflight(req: IncomingMessage, res: ServerResponse): void {
    const verdict = this.judge(req);
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

import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { PrismaClient } from '@prisma/client';
import type { Clock } from '../../observability/clock.ts';

// Who a browser is. The widget keeps a random token (localStorage of the founder's site); we keep
// only its SHA-256, so a database dump opens no chats. The visitor is the chat: `anon:<random>`
// for a browser of its own, or `user:<id>` when the founder's site vouched for the user with
// WEB_IDENTITY_SECRET (HMAC-SHA256 of the user id, hex, as Intercom's and Chatwoot's identity
// verification do): then every browser of that user shares one conversation history.

/** A user id the founder's site may pass: what fits in a chat id with its prefix. */
const USER_ID = /^[\p{L}\p{N}_.@+:-]{1,128}$/u;
const TOKEN = /^[A-Za-z0-9_-]{43}$/;

export interface VisitorIdentity {
  userId: string;
  userHash: string;
}

/** A browser's session: its chat, and what the page said about the person (labels, not proof). */
export interface Visitor {
  visitorId: string;
  displayName: string | null;
  locale: string | null;
}

export type SessionOpening =
  | { ok: true; token: string; visitor: Visitor; verified: boolean }
  | { ok: false; reason: 'identity_invalid' };

export class VisitorSessions {
  constructor(
    private readonly prisma: PrismaClient,
    private readonly clock: Clock,
    /** WEB_IDENTITY_SECRET; without it a user id from the page is not believed (the visitor stays anonymous). */
    private readonly identitySecret: string | undefined,
  ) {}

  /** Whether the page's identity claim is the founder's site's (false also for a claim with no secret to check it by). */
  verifies(identity: VisitorIdentity): boolean {
    if (this.identitySecret === undefined || !USER_ID.test(identity.userId)) return false;
    const expected = createHmac('sha256', this.identitySecret).update(identity.userId).digest();
    const given = /^[0-9a-f]{64}$/i.test(identity.userHash) ? Buffer.from(identity.userHash, 'hex') : Buffer.alloc(0);
    return given.length === expected.length && timingSafeEqual(given, expected);
  }

  /**
   * The session a page opens: the visitor of its token when the token is known (and, with an
   * identity, is that user's), otherwise a new one. A claimed identity that does not verify is
   * refused, never taken as anonymous: the page said who it was, and it was not.
   */
  async open(input: { token?: string; identity?: VisitorIdentity; displayName?: string; locale?: string }): Promise<SessionOpening> {
    let visitorId: string | undefined;
    if (input.identity !== undefined) {
      if (this.identitySecret !== undefined && !this.verifies(input.identity)) return { ok: false, reason: 'identity_invalid' };
      if (this.identitySecret !== undefined) visitorId = `user:${input.identity.userId}`;
    }
    const labels = { displayName: input.displayName ?? null, locale: input.locale ?? null };
    const current = input.token === undefined ? undefined : await this.visitorOf(input.token);
    if (current !== undefined && (visitorId === undefined || current.visitorId === visitorId)) {
      if (labels.displayName !== current.displayName || labels.locale !== current.locale) {
        await this.prisma.webSession.update({ where: { tokenHash: hashOf(input.token!) }, data: labels });
      }
      return { ok: true, token: input.token!, visitor: { visitorId: current.visitorId, ...labels }, verified: current.visitorId.startsWith('user:') };
    }
    visitorId ??= `anon:${randomBytes(16).toString('base64url')}`;
    const token = randomBytes(32).toString('base64url');
    const now = new Date(this.clock.now());
    await this.prisma.webSession.create({ data: { tokenHash: hashOf(token), visitorId, ...labels, createdAt: now, lastSeenAt: now } });
    return { ok: true, token, visitor: { visitorId, ...labels }, verified: visitorId.startsWith('user:') };
  }

  /** The visitor a token stands for, or undefined for a token we never gave (or gave to a forgotten customer). */
  async visitorOf(token: string): Promise<Visitor | undefined> {
    if (!TOKEN.test(token)) return undefined;
    const row = await this.prisma.webSession.findUnique({
      where: { tokenHash: hashOf(token) },
      select: { visitorId: true, displayName: true, locale: true, lastSeenAt: true },
    });
    if (row === null) return undefined;
    // Touched at most hourly: a busy chat does not write on every message.
    if (this.clock.now() - row.lastSeenAt.getTime() > 3_600_000) {
      await this.prisma.webSession.update({ where: { tokenHash: hashOf(token) }, data: { lastSeenAt: new Date(this.clock.now()) } });
    }
    return { visitorId: row.visitorId, displayName: row.displayName, locale: row.locale };
  }
}

/** The token from `Authorization: Bearer <token>`. */
export function bearerToken(header: string | undefined): string | undefined {
  const match = /^Bearer\s+(\S+)$/i.exec(header ?? '');
  return match?.[1];
}

function hashOf(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/**
 * The visitor's session: one bearer token, kept in localStorage so that a returning visitor
 * finds their conversation. Created (or resumed) once, shared by the event stream and the
 * outgoing queue; a 401 on either expires it and the next caller creates a new one.
 */
import type { Alarm } from './alarm.ts';
import { backoffDelayMs } from './backoff.ts';
import type { ProtocolClient, SessionRequest, SessionResponse } from './protocol.ts';

/** Why this page may not chat: 401 on /web/session (identity) or 403 (origin). Final for the page. */
export type Refusal = 'identity' | 'origin';

export class SessionRefused extends Error {
  constructor(readonly refusal: Refusal) {
    super(`web session refused: ${refusal}`);
  }
}

export interface TokenStore {
  load(): string | undefined;
  save(token: string | undefined): void;
}

export interface SessionOptions {
  client: ProtocolClient;
  identity: Omit<SessionRequest, 'token'>;
  store: TokenStore;
  alarm: Alarm;
  onCreated: (session: SessionResponse) => void;
  onRetrying: () => void;
  onRefused: (refusal: Refusal) => void;
}

export class Session {
  private confirmedToken: string | undefined;
  private creating: Promise<string> | undefined;
  private refusal: Refusal | undefined;
  private readonly options: SessionOptions;

  constructor(options: SessionOptions) {
    this.options = options;
  }

  /** A confirmed token; creates the session on first use. Rejects with SessionRefused. */
  token(): Promise<string> {
    if (this.refusal) return Promise.reject(new SessionRefused(this.refusal));
    if (this.confirmedToken !== undefined) return Promise.resolve(this.confirmedToken);
    this.creating ??= this.create().finally(() => {
      this.creating = undefined;
    });
    return this.creating;
  }

  /** The server said 401 to this token: forget it, so the next session starts afresh. */
  expire(token: string): void {
    if (this.confirmedToken !== token) return;
    this.confirmedToken = undefined;
    this.options.store.save(undefined);
  }

  private async create(): Promise<string> {
    const { client, identity, store, alarm } = this.options;
    for (let attempt = 0; ; ) {
      const stored = store.load();
      const result = await client.createSession(stored === undefined ? identity : { ...identity, token: stored });
      switch (result.kind) {
        case 'ok':
          this.confirmedToken = result.body.token;
          store.save(result.body.token);
          this.options.onCreated(result.body);
          return result.body.token;
        case 'unauthorized':
        case 'refused':
          this.refusal = result.kind === 'refused' ? 'origin' : 'identity';
          this.options.onRefused(this.refusal);
          throw new SessionRefused(this.refusal);
        case 'rejected':
          // The stored token may be what the server cannot read: the next attempt goes without it.
          store.save(undefined);
          break;
        case 'retry':
          break;
      }
      this.options.onRetrying();
      const afterMs = result.kind === 'retry' ? result.afterMs : undefined;
      await alarm.sleep(afterMs ?? backoffDelayMs(attempt++));
    }
  }
}

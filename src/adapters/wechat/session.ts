import { ScanStatus, types, type Friendship, type Message, type Wechaty } from 'wechaty';
import type { Config } from '../../config/env.ts';
import type { ChannelEvent, CoreApi } from '../../core/ports.ts';
import type { Clock } from '../../observability/clock.ts';
import type { Logger } from '../../observability/logger.ts';
import type { LoginQrPage } from './login-qr-page.ts';
import { WECHAT_CHANNEL } from './parse.ts';

// The WeChat login of one personal account, as a session this process runs while it holds the
// lease: Wechaty started and stopped, the QR code shown to the founder, and a new start (with
// backoff) after WeChat ends the session — personal-account sessions drop from time to time and
// need a new scan. Every message goes to `onMessage`; friend requests are decided here.

export interface RestartBackoff {
  initialMs: number;
  maxMs: number;
}

/** Long enough not to hammer WeChat's login servers; short enough that a new QR code shows soon. */
export const DEFAULT_RESTART_BACKOFF: RestartBackoff = { initialMs: 5_000, maxMs: 300_000 };

export interface WechatSessionDeps {
  bot: Wechaty;
  core: CoreApi;
  logger: Logger;
  clock: Clock;
  acceptFriends: NonNullable<Config['wechaty']>['acceptFriends'];
  onMessage(message: Message): Promise<void>;
  /** A friend request was accepted: the new contact is greeted (through the core and the outbox). */
  onNewFriend?(friend: { contactId: string; name: string; hello: string; requestId: string }): Promise<void>;
  backoff?: RestartBackoff;
  /** Draws a QR code on the terminal for whoever watches it; none in tests. */
  showQr?: (text: string) => Promise<void>;
  /** Our own page showing the code (a link for the founder console). */
  loginPage: LoginQrPage;
}

export class WechatSession {
  readonly #deps: WechatSessionDeps;
  readonly #backoff: RestartBackoff;
  /** The lease is held: the session should be running (and restarted when it drops). */
  #wanted = false;
  /** A stop of our own is under way: the logout it causes is not WeChat ending the session. */
  #stopping = false;
  #restartTimer: unknown;
  #failures = 0;
  #lastQr: string | undefined;
  /** Starts, stops and restarts one at a time, so a restart never overlaps a stop. */
  #transition: Promise<void> = Promise.resolve();
  #started: { promise: Promise<void>; resolve: () => void };

  constructor(deps: WechatSessionDeps) {
    this.#deps = deps;
    this.#backoff = deps.backoff ?? DEFAULT_RESTART_BACKOFF;
    this.#started = deferred();
    const { bot, logger } = deps;
    bot.on('scan', (qrcode, status) => void this.#onScan(qrcode, status));
    bot.on('login', (user) => {
      this.#failures = 0;
      this.#lastQr = undefined;
      deps.loginPage.clear();
      logger.info({ user: user.name() }, 'wechat logged in');
      void this.#report({ event: 'logged_in', detail: `WeChat is logged in as ${user.name()}; customers are answered.` });
    });
    bot.on('logout', (_user, reason) => {
      if (this.#stopping) return;
      logger.warn({ reason }, 'wechat logged out');
      void this.#report({ event: 'logged_out', detail: `WeChat logged out${reason ? ` (${reason})` : ''}: a new QR scan is needed; the code follows here. Replies wait until then.` });
      this.#scheduleRestart();
    });
    bot.on('error', (error) => {
      if (this.#stopping) return;
      // Wechaty also reports passing trouble here (a payload it could not load): only an error
      // that left the account logged out ends the session.
      if (bot.isLoggedIn) {
        logger.warn({ err: error }, 'wechat reported an error');
        return;
      }
      logger.error({ err: error }, 'wechat session failed');
      void this.#report({ event: 'session_error', detail: `WeChat session failed (${error.message.slice(0, 200)}): restarting; a new QR scan will be needed.` });
      this.#scheduleRestart();
    });
    bot.on('friendship', (friendship) => void this.#onFriendship(friendship));
    bot.on('message', (message) => void deps.onMessage(message));
  }

  /** Resolves once Wechaty has started (after open(), and again after each restart). */
  started(): Promise<void> {
    return this.#started.promise;
  }

  /** Starts Wechaty (the lease is ours): a QR code to scan follows, unless the puppet remembers the login. */
  open(): Promise<void> {
    this.#wanted = true;
    return this.#serially(() => this.#start());
  }

  /** Stops Wechaty (the lease is lost or the service stops); no restart follows. */
  close(): Promise<void> {
    this.#wanted = false;
    if (this.#restartTimer !== undefined) this.#deps.clock.clearTimeout(this.#restartTimer);
    this.#restartTimer = undefined;
    // Another process may log in now: this one's page must not show a stale code.
    this.#deps.loginPage.clear();
    return this.#serially(() => this.#stop());
  }

  async #start(): Promise<void> {
    if (!this.#wanted) return;
    await this.#deps.bot.start();
    this.#started.resolve();
  }

  async #stop(): Promise<void> {
    this.#stopping = true;
    this.#started = deferred();
    try {
      await this.#deps.bot.stop();
    } finally {
      this.#stopping = false;
    }
  }

  #scheduleRestart(): void {
    if (!this.#wanted || this.#restartTimer !== undefined) return;
    const delay = Math.min(this.#backoff.maxMs, this.#backoff.initialMs * 2 ** this.#failures);
    this.#failures += 1;
    this.#deps.logger.info({ delayMs: delay }, 'wechat session restarts');
    this.#restartTimer = this.#deps.clock.setTimeout(() => {
      this.#restartTimer = undefined;
      this.#serially(async () => {
        if (!this.#wanted) return;
        await this.#stop();
        await this.#start();
      }).catch((error: unknown) => {
        this.#deps.logger.error({ err: error }, 'wechat session restart failed; trying again');
        this.#scheduleRestart();
      });
    }, delay);
  }

  #serially(step: () => Promise<void>): Promise<void> {
    const next = this.#transition.then(step);
    // A failed step must not block the ones after it; the caller still sees its failure.
    this.#transition = next.catch(() => undefined);
    return next;
  }

  async #onScan(qrcode: string, status: ScanStatus): Promise<void> {
    if (status !== ScanStatus.Waiting && status !== ScanStatus.Timeout) return;
    // Puppets repeat the same code while it is valid: the founder is told once per code.
    if (!qrcode || qrcode === this.#lastQr) return;
    this.#lastQr = qrcode;
    // The code itself is a login credential for a minute: it goes to our own page and the
    // terminal, never into a log line or to a third-party QR site.
    const url = this.#deps.loginPage.show(qrcode);
    this.#deps.logger.info({ page: url !== undefined }, 'a WeChat login QR code is waiting to be scanned');
    await this.#deps.showQr?.(qrcode).catch((error: unknown) => this.#deps.logger.debug({ err: error }, 'the QR code could not be drawn'));
    await this.#report(
      url !== undefined
        ? { event: 'login_qr', detail: "Open the link and scan the QR code with the support account's WeChat app to log in.", url }
        : { event: 'login_qr', detail: "Scan the QR code printed in the terminal where Solodesk runs with the support account's WeChat app (set PUBLIC_URL to get a link here)." },
    );
  }

  async #onFriendship(friendship: Friendship): Promise<void> {
    if (friendship.type() !== types.Friendship.Receive) return;
    const contact = friendship.contact();
    const hello = friendship.hello();
    const policy = this.#deps.acceptFriends;
    const accept = policy.kind === 'always' || (policy.kind === 'keyword' && hello.includes(policy.keyword));
    if (accept) {
      try {
        await friendship.accept();
        this.#deps.logger.info({ contact: contact.id }, 'wechat friend request accepted');
        await this.#deps.onNewFriend?.({ contactId: contact.id, name: contact.name(), hello, requestId: friendship.id })
          .catch((error: unknown) => this.#deps.logger.warn({ err: error }, 'the new wechat friend could not be greeted'));
        return;
      } catch (error) {
        this.#deps.logger.warn({ err: error }, 'accepting a wechat friend request failed; leaving it to the founder');
      }
    }
    await this.#report({
      event: 'friend_request',
      detail: `${contact.name()} asks to be a WeChat friend${hello ? `: "${hello.slice(0, 200)}"` : ''}. Accept it in the WeChat app to talk to them here.`,
    });
  }

  /** Tells the founder; a console that cannot be told is logged, never fatal to the session. */
  async #report(event: Omit<ChannelEvent, 'channel'>): Promise<void> {
    try {
      await this.#deps.core.reportChannelEvent({ channel: WECHAT_CHANNEL, ...event });
    } catch (error) {
      this.#deps.logger.error({ err: error, event: event.event }, 'telling the founder about the wechat session failed');
    }
  }
}

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

/**
 * An end-to-end WeChat desk: the real Wechaty channel (createWechatChannel) on wechaty-puppet-mock,
 * wired to a real core + KB on a per-test database (test/support/test-desk.ts), with the core's
 * TestClock given to the channel (lease renewals, restarts) and to the desk (outbox waits).
 *
 * Customers' messages are made as the mock makes them (a MessageMock payload, then the puppet's
 * `message` event), but with ids and types the test chooses, so a redelivery is the same id again.
 * What the bot says arrives at the mock contact or room it was said to, and is recorded there.
 */
import { types } from 'wechaty';
import { mock, PuppetMock } from 'wechaty-puppet-mock';
import { createWechatChannel, type WechatChannel, type WechatChannelOptions } from '../../../src/adapters/wechat/index.ts';
import { loadConfig } from '../../../src/config/env.ts';
import type { WebhookRoute } from '../../../src/core/channel-adapter.ts';
import type { ChannelEvent, CoreApi } from '../../../src/core/ports.ts';
import { FOUNDER_CHANNEL } from '../../../src/core/ports.ts';
import { createMetrics } from '../../../src/observability/metrics.ts';
import { channelContextOf } from '../../support/channel-context.ts';
import { TestClock } from '../../support/test-clock.ts';
import { createTestDesk, RecordingSender, settleDesk, type TestDesk } from '../../support/test-desk.ts';
import { captureLogger } from '../../support/capture-logger.ts';

/** Where the harness's desk says it is reachable (PUBLIC_URL): links to our own pages start so. */
export const HARNESS_PUBLIC_URL = 'https://desk.example.com';

export type MockContact = ReturnType<mock.Mocker['createContact']>;
export type MockRoom = ReturnType<mock.Mocker['createRoom']>;

/** What the bot said, where (`wechat:<contact or room id>`), as the mock received it. */
export interface BotSaid {
  to: string;
  text: string;
  mentionIdList: string[];
}

export interface WechatHarnessOptions {
  env?: Record<string, string>;
  channel?: Omit<WechatChannelOptions, 'puppet' | 'onHandled'>;
  /** Log the bot in before returning (default); false leaves it waiting for its QR code to be scanned. */
  login?: boolean;
  /** Puts something between the adapter and the core (a core that refuses for a while). */
  core?: (core: CoreApi) => CoreApi;
}

export interface WechatHarness {
  desk: TestDesk;
  clock: TestClock;
  mocker: mock.Mocker;
  puppet: PuppetMock;
  botUser: MockContact;
  channel: WechatChannel;
  /** The founder console (a RecordingSender for `founder`). */
  founder: RecordingSender;
  /** Channel events the adapter reported to the core, in order. */
  events: ChannelEvent[];
  /** The routes the adapter added to our HTTP server (the login QR page). */
  routes: WebhookRoute[];
  logs: string[];
  contact(name: string): MockContact;
  room(members: MockContact[], topic?: string): MockRoom;
  /** A customer's message; resolves once the adapter has dealt with it. Returns its WeChat id. */
  say(from: MockContact, text: string, options?: { room?: MockRoom; mentions?: MockContact[]; type?: types.Message; id?: string }): Promise<string>;
  /** The puppet hands the same message id over again. */
  redeliver(messageId: string): Promise<string>;
  /** How the adapter dealt with each message id (stored as `message`, `ignored`, `duplicate`…). */
  handled: Map<string, string[]>;
  /** Everything the bot said to this contact or room. */
  saidTo(target: { id: string }): BotSaid[];
  allSaid(): BotSaid[];
  login(): Promise<void>;
  /** Drains the pipeline until `check` holds (a guard against hanging, not a timing assertion). */
  settle<T>(check: () => T | Promise<T>, what?: string): Promise<NonNullable<T>>;
  close(): Promise<void>;
}

export async function startWechatHarness(options: WechatHarnessOptions = {}): Promise<WechatHarness> {
  const clock = new TestClock();
  const founder = new RecordingSender(FOUNDER_CHANNEL);
  const desk = await createTestDesk({ clock, senders: [founder] });
  const { logger, lines: logs } = captureLogger('debug');
  // No pacing by default: a test about pacing sets it; the others must not wait on it.
  const config = loadConfig({
    WECHATY_PUPPET: 'wechaty-puppet-mock', WECHAT_PER_CHAT_INTERVAL_MS: '0', WECHAT_MAX_PER_MINUTE: '1000', PUBLIC_URL: HARNESS_PUBLIC_URL, ...options.env,
  });
  const events: ChannelEvent[] = [];
  const recording: CoreApi = {
    ...desk.core,
    async reportChannelEvent(event) {
      events.push(event);
      await desk.core.reportChannelEvent(event);
    },
  };
  const core = options.core ? options.core(recording) : recording;
  const mocker = new mock.Mocker();
  const puppet = new PuppetMock({ mocker });
  const handled = new Map<string, string[]>();
  const routes: WebhookRoute[] = [];
  const waiting = new Map<string, Array<() => void>>();
  const channel = createWechatChannel(
    channelContextOf({ config, core, kb: desk.kb, http: { addRoute: (route) => routes.push(route) }, logger, metrics: createMetrics(), clock }, desk.database.db),
    {
      ...options.channel,
      puppet,
      onHandled(id, result) {
        handled.set(id, [...(handled.get(id) ?? []), result]);
        for (const wake of waiting.get(id) ?? []) wake();
        waiting.delete(id);
      },
    },
  );
  for (const sender of channel.senders) desk.core.dispatcher.registerSender(sender);
  await channel.start();
  await channel.running();
  const botUser = mocker.createContact({ name: 'Solodesk' });
  const said: BotSaid[] = [];
  const record = (target: { id: string }) => (message: MockMessage) => {
    if (message.payload.talkerId !== botUser.id) return;
    said.push({ to: `wechat:${target.id}`, text: message.payload.text ?? '', mentionIdList: message.payload.mentionIdList ?? [] });
  };
  let counter = 0;

  const whenHandled = (id: string, count: number): Promise<void> =>
    (handled.get(id)?.length ?? 0) >= count ? Promise.resolve() : new Promise((resolve) => waiting.set(id, [...(waiting.get(id) ?? []), () => resolve(whenHandled(id, count))]));

  const harness: WechatHarness = {
    desk,
    clock,
    mocker,
    puppet,
    botUser,
    channel,
    founder,
    events,
    routes,
    logs,
    handled,
    contact(name) {
      const contact = mocker.createContact({ name });
      onMessage(contact, record(contact));
      return contact;
    },
    room(members, topic = 'Customers') {
      const room = mocker.createRoom({ topic, memberIdList: [botUser.id, ...members.map((m) => m.id)] });
      onMessage(room, record(room));
      return room;
    },
    async say(from, text, sayOptions = {}) {
      const id = sayOptions.id ?? `wxmsg-${++counter}-${Date.now()}`;
      const base = { id, talkerId: from.id, timestamp: Date.now(), type: sayOptions.type ?? types.Message.Text, text };
      const payload = sayOptions.room
        ? { ...base, roomId: sayOptions.room.id, mentionIdList: (sayOptions.mentions ?? []).map((c) => c.id) }
        : { ...base, listenerId: botUser.id };
      mocker.MessageMock.create(payload);
      puppet.emit('message', { messageId: id });
      await whenHandled(id, 1);
      return id;
    },
    async redeliver(messageId) {
      const count = (handled.get(messageId)?.length ?? 0) + 1;
      puppet.emit('message', { messageId });
      await whenHandled(messageId, count);
      return handled.get(messageId)!.at(-1)!;
    },
    saidTo: (target) => said.filter((s) => s.to === `wechat:${target.id}`),
    allSaid: () => [...said],
    async login() {
      const loggedIn = new Promise<void>((resolve) => channel.bot.once('login', () => resolve()));
      mocker.scan('https://login.weixin.qq.com/l/mock-qr', types.ScanStatus.Waiting);
      mocker.login(botUser);
      await loggedIn;
    },
    settle: (check, what) => settleDesk(desk, check, what),
    async close() {
      await channel.stop();
      await desk.dispose();
    },
  };
  if (options.login !== false) await harness.login();
  return harness;
}

/** What the mock delivers to a contact or room (its emitter's types come from a package not installed). */
type MockMessage = { payload: { talkerId?: string; text?: string; mentionIdList?: string[] } };
function onMessage(target: MockContact | MockRoom, listener: (message: MockMessage) => void): void {
  (target as unknown as { on(event: 'message', listener: (message: MockMessage) => void): void }).on('message', listener);
}

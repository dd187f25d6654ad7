import { createSlackChannel, type SlackChannel } from '../../../src/adapters/slack/index.ts';
import { loadConfig } from '../../../src/config/env.ts';
import type { Sender } from '../../../src/core/ports.ts';
import { createHttpServer, type HttpServer } from '../../../src/http/server.ts';
import { createMetrics } from '../../../src/observability/metrics.ts';
import { dmMessageEvent, threadReplyEvent } from '../../fixtures/slack/events.ts';
import { eventCallbackBody, postSigned, slashCommandBody, viewSubmissionBody, type PostSignedOptions } from '../../fakes/slack-signing.ts';
import { startFakeSlack, type FakeSlack, type PostedSlackMessage } from '../../fakes/slack-web-api.ts';
import type { SlashCommandOptions, ViewSubmissionOptions } from '../../fixtures/slack/interactions.ts';
import { channelContextOf } from '../../support/channel-context.ts';
import { silentLogger } from '../../support/silent-logger.ts';
import { createTestDesk, type TestDesk } from '../../support/test-desk.ts';

// The real Slack channel on our real HTTP server, wired to a real desk (core + KB on a test
// database), talking to the fake Slack Web API; Slack's side is played with signed requests.

export const TOKEN = 'xoxb-1111-2222-testtoken';
export const SECRET = 'e2e-signing-secret-0123456789abcdef';
export const FOUNDER_CHANNEL = 'CFOUNDER';
export const FOUNDER = 'UFOUNDER';

export interface SlackHarness {
  fake: FakeSlack;
  desk: TestDesk;
  http: HttpServer;
  /** The adapter (a ChannelAdapter: name, capabilities, senders, start, stop; and `slack`). */
  channel: SlackChannel;
  url: string;
  /** POSTs a signed body to /slack/events. */
  post(body: string, options?: Omit<PostSignedOptions, 'signingSecret'>): Promise<{ status: number; text: string }>;
  /** A customer's DM to the app (a fresh ts and event id unless given). */
  customerDm(text: string, o?: { user?: string; channel?: string; ts?: string; eventId?: string }): Promise<{ status: number; ts: string; eventId: string }>;
  /** The founder's reply in a conversation thread. */
  founderReply(threadTs: string, text: string, o?: { user?: string; ts?: string; eventId?: string; headers?: Record<string, string> }): Promise<{ status: number; ts: string; body: string }>;
  command(o: SlashCommandOptions): Promise<{ status: number; json: { response_type?: string; text?: string } }>;
  submitView(o: ViewSubmissionOptions): Promise<{ status: number; text: string }>;
  /** Sends everything the outbox holds (senders run for real against the fake). */
  drain(): Promise<number>;
  /** Root messages in the founder channel. */
  roots(): PostedSlackMessage[];
  /** Messages posted in a thread of the founder channel. */
  inThread(rootTs: string): PostedSlackMessage[];
  close(): Promise<void>;
}

let seq = 0;
/** Unique Slack-shaped ts for messages people write (the fake numbers its own from 1767224901). */
export function nextTs(): string {
  seq += 1;
  return `1767300000.${String(seq).padStart(6, '0')}`;
}
const nextEventId = (): string => `Ev${String(++seq).padStart(10, '0')}`;

/**
 * The dispatcher's per-chat spacing is the dispatcher's to test (test/core); here the senders run
 * unthrottled so one drain delivers a whole exchange. Everything else is the real sender.
 */
function unthrottled(sender: Sender): Sender {
  return { channel: sender.channel, send: (delivery) => sender.send(delivery) };
}

export async function startSlackHarness(
  env: Record<string, string> = {},
  options: { desk?: Parameters<typeof createTestDesk>[0] } = {},
): Promise<SlackHarness> {
  const fake = await startFakeSlack({ token: TOKEN });
  const desk = await createTestDesk(options.desk);
  const logger = silentLogger();
  const metrics = createMetrics();
  const config = loadConfig({
    SLACK_BOT_TOKEN: TOKEN,
    SLACK_SIGNING_SECRET: SECRET,
    SLACK_API_URL: fake.apiUrl,
    SLACK_FOUNDER_CHANNEL: FOUNDER_CHANNEL,
    SLACK_FOUNDER_USERS: FOUNDER,
    ...env,
  });
  const http = createHttpServer({ logger, metrics, readiness: () => ({ ready: true, details: {} }) });
  const channel = createSlackChannel(channelContextOf({ config, core: desk.core, kb: desk.kb, http, logger, metrics }, desk.database.db));
  for (const sender of channel.senders) desk.core.dispatcher.registerSender(unthrottled(sender));
  await channel.start();
  const port = await http.listen(0, '127.0.0.1');
  const url = `http://127.0.0.1:${port}/slack/events`;

  const post: SlackHarness['post'] = (body, options = {}) => postSigned(url, body, { signingSecret: SECRET, ...options });
  return {
    fake, desk, http, channel, url, post,
    async customerDm(text, o = {}) {
      const ts = o.ts ?? nextTs();
      const eventId = o.eventId ?? nextEventId();
      const event = dmMessageEvent({ text, ts, user: o.user ?? 'UCUSTOMER', channel: o.channel ?? 'D1' });
      const { status } = await post(eventCallbackBody({ eventId, event }));
      return { status, ts, eventId };
    },
    async founderReply(threadTs, text, o = {}) {
      const ts = o.ts ?? nextTs();
      const event = threadReplyEvent({ text, ts, threadTs, channel: FOUNDER_CHANNEL, user: o.user ?? FOUNDER });
      const body = eventCallbackBody({ eventId: o.eventId ?? nextEventId(), event });
      const { status } = await post(body, o.headers ? { headers: o.headers } : {});
      return { status, ts, body };
    },
    async command(o) {
      const { status, text } = await post(slashCommandBody(o));
      return { status, json: text === '' ? {} : (JSON.parse(text) as { response_type?: string; text?: string }) };
    },
    submitView: (o) => post(viewSubmissionBody(o)),
    drain: () => desk.drain(),
    roots: () => fake.posted().filter((m) => m.channel === FOUNDER_CHANNEL && m.thread_ts === undefined),
    inThread: (rootTs) => fake.posted().filter((m) => m.channel === FOUNDER_CHANNEL && m.thread_ts === rootTs),
    async close() {
      await http.close(0);
      await channel.stop();
      await desk.dispose();
      await fake.close();
    },
  };
}

/**
 * A DM customer question the (empty) KB cannot answer, escalated into a founder thread: the
 * thread's root ts and the conversation it belongs to.
 */
export async function escalateDm(h: SlackHarness, text = 'My invoice shows VAT twice, can you fix it?'): Promise<{ rootTs: string; conversationId: string }> {
  const { status } = await h.customerDm(text);
  if (status !== 200) throw new Error(`the customer's DM got ${status}`);
  await h.drain();
  const root = h.roots().at(-1);
  if (root === undefined) throw new Error('no root message in the founder channel');
  const conversationId = await h.desk.core.founder.conversationForThread({ channelId: FOUNDER_CHANNEL, threadTs: root.ts });
  if (conversationId === null) throw new Error('root message not attached to a conversation');
  return { rootTs: root.ts, conversationId };
}

/** What a customer in a DM received from the app. */
export function postedTo(fake: FakeSlack, channel: string): PostedSlackMessage[] {
  return fake.posted().filter((m) => m.channel === channel);
}

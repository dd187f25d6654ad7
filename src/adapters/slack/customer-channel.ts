import type { App, BlockAction, ButtonAction } from '@slack/bolt';
import type { CoreApi, CustomerDelivery, Delivery, Sender, SendResult } from '../../core/ports.ts';
import type { Logger } from '../../observability/logger.ts';
import { ACTION, customerButtonMessage, customerText } from './blocks.ts';
import { SLACK_CHANNEL, toInboundMessage, type RoutedMessage } from './parse.ts';
import { slackCall, type SlackClient } from './send.ts';

// Slack as a customer channel (channel name `slack`): DMs to the app from people who are not
// founders, and messages in other channels the app is in (Slack Connect). Replies go back in the
// customer's thread; buttons come back as block_actions.

/** Slack shows up to 40k characters but truncates long texts badly; split well before. */
const CHUNK = 3900;
/** A section block holds at most 3000 characters. */
const SECTION_CHUNK = 2900;

export function splitText(text: string, max = CHUNK): string[] {
  const parts: string[] = [];
  let rest = text;
  while (rest.length > max) {
    const window = rest.slice(0, max);
    // Prefer a paragraph break, then a line break, then a space, in the second half of the window.
    const cut = ['\n\n', '\n', ' '].map((sep) => window.lastIndexOf(sep)).find((i) => i > max / 2);
    const at = cut ?? max;
    parts.push(rest.slice(0, at).trimEnd());
    rest = rest.slice(at).trimStart();
  }
  if (rest !== '' || parts.length === 0) parts.push(rest);
  return parts;
}

export function createCustomerSender(client: SlackClient): Sender {
  return {
    channel: SLACK_CHANNEL,
    limits: { perChatIntervalMs: 1000 },
    async send(delivery: Delivery): Promise<SendResult> {
      const { message } = delivery.payload as CustomerDelivery;
      const buttons = message.buttons ?? [];
      const parts = splitText(customerText(message), buttons.length > 0 ? SECTION_CHUNK : CHUNK);
      const thread = message.threadId !== undefined ? { thread_ts: message.threadId } : {};
      const ids: string[] = [];
      for (const [i, part] of parts.entries()) {
        const last = i === parts.length - 1;
        const body = last && buttons.length > 0 ? customerButtonMessage(part, buttons) : { text: part };
        const result = await slackCall(() => client.chat.postMessage({ channel: message.chatId, ...body, ...thread, unfurl_links: false }));
        ids.push(`${message.chatId}:${String(result.ts)}`);
      }
      return { platformMessageIds: ids };
    },
  };
}

export interface CustomerChannelDeps {
  client: SlackClient;
  core: CoreApi;
  logger: Logger;
}

/** Display names of Slack users, looked up once per process; a failed lookup is not an error. */
export function userDirectory(client: SlackClient, logger: Logger): (userId: string) => Promise<{ displayName?: string; username?: string }> {
  const cache = new Map<string, { displayName?: string; username?: string }>();
  return async (userId) => {
    const known = cache.get(userId);
    if (known !== undefined) return known;
    try {
      const { user } = await client.users.info({ user: userId });
      const found: { displayName?: string; username?: string } = {};
      const display = user?.profile?.display_name || user?.profile?.real_name || user?.real_name;
      if (display) found.displayName = display.slice(0, 200);
      if (user?.name) found.username = user.name.slice(0, 200);
      if (cache.size > 10_000) cache.clear();
      cache.set(userId, found);
      return found;
    } catch (error) {
      logger.debug({ err: error instanceof Error ? error.message : String(error), userId }, 'slack users.info failed');
      return {};
    }
  };
}

/** Stores a customer's message through the core (which answers or escalates via the outbox). */
export async function handleCustomerMessage(
  message: Extract<RoutedMessage, { kind: 'customer' }>,
  raw: unknown,
  deps: CustomerChannelDeps,
  lookupUser: (userId: string) => Promise<{ displayName?: string; username?: string }>,
): Promise<void> {
  const sender = await lookupUser(message.user);
  await deps.core.handleInbound(toInboundMessage(message, sender, raw));
}

/** Customer buttons (`customer_action:<n>`, the core's opaque action in `value`). */
export function registerCustomerButtons(app: App, deps: CustomerChannelDeps, founderChannel: string | undefined): void {
  app.action<BlockAction<ButtonAction>>(new RegExp(`^${ACTION.customerPrefix}`), async ({ ack, body, action }) => {
    await ack();
    const channel = body.channel?.id ?? body.container?.channel_id;
    if (channel === undefined || channel === founderChannel || action.value === undefined) return;
    const messageTs = body.container?.message_ts ?? body.message?.ts ?? '';
    const threadTs = body.container?.thread_ts ?? body.message?.thread_ts;
    await deps.core.handleAction({
      channel: SLACK_CHANNEL,
      externalUserId: body.user.id,
      externalChatId: channel,
      action: action.value,
      platformEventId: `${channel}:${messageTs}:${action.action_id}:${body.user.id}`,
      ...(threadTs !== undefined ? { threadId: threadTs } : {}),
    });
  });
}

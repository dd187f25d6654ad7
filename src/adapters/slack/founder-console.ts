import type { App, BlockAction, ButtonAction, types } from '@slack/bolt';
import { SolodeskError } from '../../errors.ts';
import { handleFounderMessage } from '../../core/founder/founder-message.ts';
import { unknownCommandText } from '../../core/founder/help.ts';
import { customerChangeText } from '../../core/customers/profile-view.ts';
import { NOTICE_WORDS } from '../../core/founder/notice-view.ts';
import { FOUNDER_CHANNEL, type CoreApi, type Delivery, type FounderNotice, type Sender, type SendResult } from '../../core/ports.ts';
import type { Logger } from '../../observability/logger.ts';
import {
  ACTION, attachmentsNotRelayedText, autoAnswerMessage, channelEventMessage, customerMessageText, deliveryReportText, draftFromBlocks, escalationRootMessage, escalationThreadMessage,
  BLOCK, MRKDWN_MARKUP, statusLine, withStatus, type SlackMessage,
} from './blocks.ts';
import { DRAFT_EDITOR_CALLBACK, DRAFT_EDITOR_INPUT, draftEditorModal, editedDraft } from './draft-editor.ts';
import { postDigest } from './stats-command.ts';
import { slackTextToPlain, type RoutedMessage } from './parse.ts';
import { escapeMrkdwn, slackCall, type SlackClient } from './send.ts';

// The founder's console in Slack: one thread per conversation in the founder channel. The Sender
// posts what the core tells the founder; the handlers turn founder thread replies, thread
// commands and root-message buttons into core calls.

export interface FounderConsoleDeps {
  client: SlackClient;
  core: CoreApi;
  channelId: string;
  founderUsers: readonly string[];
  logger: Logger;
  /** Runs a cosmetic Slack call (reaction, hint) after the ack; failures are logged. */
  background(task: () => Promise<unknown>): void;
}

interface ThreadRef {
  channelId: string;
  rootTs: string;
  /** attachThread committed (a retry must not post a second root). */
  attached: boolean;
  /** The root message as last posted, for status updates. */
  blocks?: unknown[];
  text?: string;
}

/**
 * conversation id → its founder thread: a cache in front of the core, which stores the thread
 * (attachThread) and answers both ways (threadOf, conversationForThread). The cache also keeps
 * the root message's blocks so a status update needs no read from Slack.
 */
export class FounderThreads {
  private readonly byConversation = new Map<string, ThreadRef>();

  get(conversationId: string): ThreadRef | undefined {
    return this.byConversation.get(conversationId);
  }

  set(conversationId: string, ref: ThreadRef): void {
    this.byConversation.set(conversationId, ref);
  }

  /** The thread of a conversation, seen in a founder reply. */
  remember(conversationId: string, channelId: string, threadTs: string): void {
    const known = this.byConversation.get(conversationId);
    if (known === undefined || known.rootTs !== threadTs) this.byConversation.set(conversationId, { channelId, rootTs: threadTs, attached: true });
  }
}

/** Serializes the work of one key (a conversation): two notices never race for one root message. */
class KeyedQueue {
  private readonly tails = new Map<string, Promise<unknown>>();

  run<T>(key: string, task: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(key) ?? Promise.resolve();
    const result = previous.then(task, task);
    const tail = result.catch(() => undefined);
    this.tails.set(key, tail);
    void tail.then(() => {
      if (this.tails.get(key) === tail) this.tails.delete(key);
    });
    return result;
  }
}

export function createFounderSender(deps: FounderConsoleDeps, threads: FounderThreads): Sender {
  const { client, core, channelId, logger } = deps;
  const queue = new KeyedQueue();
  const id = (channel: string, ts: unknown): string => `slack:${channel}:${String(ts)}`;

  async function post(message: SlackMessage, threadTs?: string): Promise<string> {
    const result = await slackCall(() =>
      client.chat.postMessage({
        channel: channelId,
        text: message.text,
        blocks: message.blocks,
        ...(message.metadata ? { metadata: message.metadata } : {}),
        ...(threadTs !== undefined ? { thread_ts: threadTs } : {}),
        unfurl_links: false,
        unfurl_media: false,
      }),
    );
    return String(result.ts);
  }

  async function postText(text: string, threadTs: string): Promise<string> {
    const result = await slackCall(() =>
      client.chat.postMessage({ channel: channelId, text, thread_ts: threadTs, unfurl_links: false, unfurl_media: false }),
    );
    return String(result.ts);
  }

  /** The conversation's thread: from the cache, else from the core (after a restart). */
  async function known(conversationId: string): Promise<ThreadRef | undefined> {
    const cached = threads.get(conversationId);
    if (cached !== undefined) return cached;
    const stored = await core.founder.threadOf(conversationId);
    if (stored === null) return undefined;
    const ref: ThreadRef = { channelId: stored.channelId, rootTs: stored.threadTs, attached: true };
    threads.set(conversationId, ref);
    return ref;
  }

  async function rootFor(conversationId: string, message: () => SlackMessage): Promise<{ ref: ThreadRef; created: boolean }> {
    let ref = await known(conversationId);
    let created = false;
    if (ref === undefined) {
      const built = message();
      const ts = await post(built);
      ref = { channelId, rootTs: ts, attached: false, blocks: built.blocks, text: built.text };
      threads.set(conversationId, ref);
      created = true;
    }
    if (!ref.attached) {
      await core.founder.attachThread({ conversationId, channelId: ref.channelId, threadTs: ref.rootTs });
      ref.attached = true;
    }
    return { ref, created };
  }

  async function deliver(notice: FounderNotice): Promise<SendResult> {
    switch (notice.type) {
      case 'escalation': {
        const { ref, created } = await rootFor(notice.conversationId, () => escalationRootMessage(notice));
        if (created) return { platformMessageIds: [id(ref.channelId, ref.rootTs)] };
        const ts = await post(escalationThreadMessage(notice), ref.rootTs);
        return { platformMessageIds: [id(channelId, ts)] };
      }
      case 'auto_answer': {
        const { ref, created } = await rootFor(notice.conversationId, () => autoAnswerMessage(notice, true));
        if (created) return { platformMessageIds: [id(ref.channelId, ref.rootTs)] };
        const ts = await post(autoAnswerMessage(notice, false), ref.rootTs);
        return { platformMessageIds: [id(channelId, ts)] };
      }
      case 'customer_followup': {
        // A conversation relayed before any escalation reached Slack: open its thread now.
        const { ref } = await rootFor(notice.conversationId, () => ({
          text: escapeMrkdwn(`${NOTICE_WORDS.customer}: ${notice.text}`.slice(0, 300)),
          blocks: [
            { type: 'context', block_id: BLOCK.status, elements: [{ type: 'mrkdwn', text: statusLine('escalated') }] },
            { type: 'section', text: { type: 'mrkdwn', text: '_Conversation continued (its earlier thread is not known to this process)._' } },
          ],
        }));
        const ts = await postText(customerMessageText(notice), ref.rootTs);
        return { platformMessageIds: [id(ref.channelId, ts)] };
      }
      case 'status': {
        const ref = await known(notice.conversationId);
        if (ref === undefined) {
          logger.warn({ conversationId: notice.conversationId, status: notice.status }, 'slack: no thread known for a status update; skipped');
          return {};
        }
        if (ref.blocks === undefined) Object.assign(ref, await fetchRoot(client, ref));
        if (ref.blocks === undefined) return {};
        const blocks = withStatus(ref.blocks, notice.status, notice.by) as types.KnownBlock[];
        await slackCall(() => client.chat.update({ channel: ref.channelId, ts: ref.rootTs, blocks, text: ref.text ?? 'Conversation' }));
        ref.blocks = blocks;
        return { platformMessageIds: [id(ref.channelId, ref.rootTs)] };
      }
      case 'delivery_report': {
        const ref = await known(notice.conversationId);
        if (ref === undefined) {
          logger.warn({ conversationId: notice.conversationId }, 'slack: no thread known for a delivery report; skipped');
          return {};
        }
        const ts = await postText(deliveryReportText(notice), ref.rootTs);
        return { platformMessageIds: [id(ref.channelId, ts)] };
      }
      case 'attachments_not_relayed': {
        const ref = await known(notice.conversationId);
        if (ref === undefined) {
          logger.warn({ conversationId: notice.conversationId }, 'slack: no thread known for a files-not-relayed notice; skipped');
          return {};
        }
        const ts = await postText(attachmentsNotRelayedText(notice), ref.rootTs);
        return { platformMessageIds: [id(ref.channelId, ts)] };
      }
      case 'channel_event': {
        // At the channel's root: no conversation owns it. A founder replying in its thread is
        // told the thread is not a conversation (handleFounderThreadReply), nothing is sent.
        const ts = await post(channelEventMessage(notice));
        return { platformMessageIds: [id(channelId, ts)] };
      }
      case 'digest':
        return { platformMessageIds: [id(channelId, await postDigest(client, channelId, notice))] };
    }
  }

  return {
    channel: FOUNDER_CHANNEL,
    limits: { perChatIntervalMs: 1000 },
    async send(delivery: Delivery): Promise<SendResult> {
      const notice = delivery.payload as FounderNotice;
      // A channel's events have no root message to race for; they queue apart from conversations.
      const key = notice.type === 'channel_event' ? `channel:${notice.event.channel}` : notice.type === 'digest' ? 'digest' : notice.conversationId;
      return queue.run(key, () => deliver(notice));
    },
  };
}

/** The root message as Slack has it (after a restart the cache is empty). */
async function fetchRoot(client: SlackClient, ref: ThreadRef): Promise<{ blocks?: unknown[]; text?: string }> {
  const result = await slackCall(() => client.conversations.replies({ channel: ref.channelId, ts: ref.rootTs, limit: 1 }));
  const root = result.messages?.find((m) => m.ts === ref.rootTs);
  if (!Array.isArray(root?.blocks)) return {};
  return { blocks: root.blocks as unknown[], ...(typeof root.text === 'string' ? { text: root.text } : {}) };
}

/** A founder's reply in a conversation thread (already routed: a founder, in a thread, maybe with files). */
export async function handleFounderThreadReply(
  message: Extract<RoutedMessage, { kind: 'founder_thread_reply' }>,
  deps: FounderConsoleDeps,
  threads: FounderThreads,
): Promise<void> {
  const { core, client, background, logger } = deps;
  const ephemeral = (text: string) => background(() => client.chat.postEphemeral({ channel: message.channel, user: message.user, thread_ts: message.threadTs, text }));
  const react = (name: string) => background(() => client.reactions.add({ channel: message.channel, timestamp: message.ts, name }));

  const conversationId = await core.founder.conversationForThread({ channelId: message.channel, threadTs: message.threadTs });
  if (conversationId === null) {
    ephemeral('This thread is not linked to a customer conversation, so nothing was sent.');
    return;
  }
  threads.remember(conversationId, message.channel, message.threadTs);

  // Files go to the core as names only: it tells the founder they were not relayed.
  const attachments = message.files.map(({ kind, name }) => (name !== undefined ? { kind, name } : { kind }));
  const outcome = await handleFounderMessage(core.founder, {
    conversationId,
    text: message.text,
    plainText: slackTextToPlain(message.text),
    founder: `slack:${message.user}`,
    platformMessageId: `slack:${message.channel}:${message.ts}`,
    ...(attachments.length > 0 ? { attachments } : {}),
  });
  // Replies and files speak for themselves in the thread (delivery report, files notice).
  switch (outcome.kind) {
    case 'note_kept':
      return react('memo');
    case 'already_sent':
      return logger.debug({ conversationId }, 'slack: founder reply already relayed');
    case 'unknown_command':
      return ephemeral(unknownCommandText(MRKDWN_MARKUP, outcome.command));
    case 'resolved':
    case 'reopened':
      return react('white_check_mark');
    case 'saved':
      ephemeral(`${outcome.created ? 'Saved as' : 'Added the question to'} ${outcome.published ? 'published' : 'draft'} article \`${outcome.slug}\`. See \`/kb show ${outcome.slug}\`.`);
      return react('white_check_mark');
    case 'customer_changed':
      ephemeral(escapeMrkdwn(customerChangeText(outcome.change)));
      return react(outcome.change.change === 'noted' ? 'memo' : 'white_check_mark');
    case 'failed':
      // The core said no (already resolved, nothing to save, …): tell the founder, don't retry.
      return ephemeral(`That did not work: ${outcome.reason}`);
    case 'sent':
    case 'draft_sent':
    case 'sent_without_files':
    case 'files_not_relayed':
    case 'nothing_to_send':
      return;
  }
}

/** The buttons on a root message: Send draft, Resolve, Save as article (founders only). */
export function registerFounderButtons(app: App, deps: FounderConsoleDeps): void {
  const { core, client, background, founderUsers } = deps;
  const buttonArgs = (body: BlockAction, action: ButtonAction) => ({
    conversationId: action.value ?? '',
    user: body.user.id,
    channel: body.channel?.id ?? deps.channelId,
    threadTs: body.container?.thread_ts ?? body.message?.thread_ts ?? body.message?.ts,
    messageTs: body.message?.ts ?? body.container?.message_ts ?? '',
  });
  const ephemeral = (a: ReturnType<typeof buttonArgs>, text: string) =>
    background(() => client.chat.postEphemeral({ channel: a.channel, user: a.user, text, ...(a.threadTs ? { thread_ts: a.threadTs } : {}) }));

  async function guarded(body: BlockAction, action: ButtonAction, run: (a: ReturnType<typeof buttonArgs>) => Promise<void>): Promise<void> {
    const a = buttonArgs(body, action);
    if (!founderUsers.includes(a.user)) {
      ephemeral(a, 'Sorry, only the founders of this desk can use these buttons.');
      return;
    }
    if (a.conversationId === '') return;
    try {
      await run(a);
    } catch (error) {
      if (error instanceof SolodeskError) ephemeral(a, `That did not work: ${error.message}`);
      else throw error;
    }
  }

  app.action<BlockAction<ButtonAction>>(ACTION.sendDraft, async ({ ack, body, action }) => {
    await ack();
    // One press or ten: the platform message id makes the core send the draft once, and a press
    // after the draft went (from any console) is told there is none.
    await guarded(body, action, async (a) => {
      await core.founder.sendDraft({ conversationId: a.conversationId, founder: `slack:${a.user}`, platformMessageId: `slack:draft:${a.channel}:${a.messageTs}` });
    });
  });
  app.action<BlockAction<ButtonAction>>(ACTION.editDraft, async ({ ack, body, action }) => {
    await ack();
    await guarded(body, action, async () => {
      const draft = draftFromBlocks(body.message?.blocks) ?? '';
      await slackCall(() => client.views.open({ trigger_id: body.trigger_id, view: draftEditorModal(action.value ?? '', draft) }));
    });
  });
  // The edited draft goes out as the founder's reply; a note-looking text or a closed conversation
  // is refused in the modal, so nothing is lost silently.
  app.view(DRAFT_EDITOR_CALLBACK, async ({ ack, body, view }) => {
    if (!founderUsers.includes(body.user.id)) return ack({ response_action: 'errors', errors: { [DRAFT_EDITOR_INPUT]: 'Only the founders of this desk can send replies.' } });
    const text = editedDraft(view.state.values);
    if (text.trim() === '') return ack({ response_action: 'errors', errors: { [DRAFT_EDITOR_INPUT]: 'Write the reply to send.' } });
    try {
      await core.founder.reply({ conversationId: view.private_metadata, text, founder: `slack:${body.user.id}`, platformMessageId: `slack:draft-edit:${view.id}` });
    } catch (error) {
      if (error instanceof SolodeskError) return ack({ response_action: 'errors', errors: { [DRAFT_EDITOR_INPUT]: error.message.slice(0, 150) } });
      throw error;
    }
    await ack();
  });
  app.action<BlockAction<ButtonAction>>(ACTION.resolve, async ({ ack, body, action }) => {
    await ack();
    await guarded(body, action, (a) => core.founder.resolve({ conversationId: a.conversationId, founder: `slack:${a.user}` }));
  });
  app.action<BlockAction<ButtonAction>>(ACTION.saveArticle, async ({ ack, body, action }) => {
    await ack();
    await guarded(body, action, async (a) => {
      const saved = await core.founder.saveAsArticle({ conversationId: a.conversationId, founder: `slack:${a.user}`, publish: false });
      ephemeral(a, `${saved.created ? 'Saved as' : 'Added the question to'} draft article \`${saved.slug}\`. Review it with \`/kb show ${saved.slug}\`, publish it from \`/kb edit ${saved.slug}\`.`);
    });
  });
}

import { Prisma, type Conversation, type PrismaClient } from '@prisma/client';
import type { KnowledgeBase } from '../kb/knowledge-base.ts';
import { readState } from './conversation-state.ts';
import { SolodeskError } from '../errors.ts';
import { classifyFounderText } from './founder/founder-text.ts';
import { lockChat } from './inbound-pipeline.ts';
import { enqueueCustomerMessage, enqueueFounderNotice, NoteNotSendableError, type Tx } from './outbox.ts';
import type { FounderActions } from './ports.ts';
import { DEFAULT_GAP_WINDOW_MS, gapQuestionTexts, readKbGaps } from './insight/kb-gaps.ts';
import { askForRating, type RatingSettings } from './satisfaction/ask-rating.ts';
import { linkCustomers, unlinkLast } from './customers/customer-links.ts';
import { noteCustomer, tagCustomer } from './customers/customer-notes.ts';
import { findCustomerProfiles } from './customers/profile.ts';

// What the founder does to a conversation, whichever console it comes from (Slack thread,
// Telegram, terminal). Each action is one transaction and tells every console what changed.

export class ConversationNotFoundError extends SolodeskError {
  constructor(id: string) {
    super('conversation_not_found', `no conversation ${id}`);
  }
}

export class NoDraftError extends SolodeskError {
  constructor() {
    super('no_draft', 'there is no draft to send in this conversation (it was sent already, or the LLM made none)');
  }
}

export function createFounderActions(deps: {
  prisma: PrismaClient;
  kb: KnowledgeBase;
  now?: () => Date;
  /** Whether and when a resolve asks the customer for a rating; none asked without. */
  ratings?: RatingSettings;
}): FounderActions {
  const now = () => deps.now?.() ?? new Date();
  const inTx = <T>(run: (tx: Tx) => Promise<T>) => deps.prisma.$transaction(run, { timeout: 15_000, maxWait: 15_000 });

  async function setStatus(tx: Tx, conversationId: string, status: 'resolved' | 'escalated', founder: string) {
    const at = now();
    await tx.conversation.update({
      where: { id: conversationId },
      data: status === 'resolved' ? { status, resolvedAt: at } : { status, resolvedAt: null },
    });
    await enqueueFounderNotice(tx, { type: 'status', conversationId, status, by: founder });
    await tx.auditLog.create({
      data: { actor: founder, action: `conversation.${status === 'resolved' ? 'resolve' : 'reopen'}`, entity: 'conversation', entityId: conversationId },
    });
    // Asked (or due at the opening) in the resolve's own transaction: a resolve that rolls back asks nothing.
    if (status === 'resolved' && deps.ratings) await askForRating(tx, deps.ratings, { conversationId, now: at });
  }

  async function load(tx: Tx, conversationId: string) {
    const conversation = await tx.conversation.findUnique({ where: { id: conversationId } });
    if (!conversation) throw new ConversationNotFoundError(conversationId);
    return conversation;
  }

  /**
   * Stores a founder's message once per platform id: a redelivered reply or note (the same id) is
   * found, also when a concurrent delivery of it committed first, and nothing is done twice.
   */
  async function storeOnce(
    conversationId: string,
    platformMessageId: string | undefined,
    store: (tx: Tx, conversation: Conversation) => Promise<{ messageId: string; duplicate: boolean }>,
  ): Promise<{ messageId: string; duplicate: boolean }> {
    try {
      return await inTx(async (tx) => {
        const conversation = await load(tx, conversationId);
        if (platformMessageId) {
          const seen = await tx.message.findUnique({
            where: { channel_platformMessageId: { channel: conversation.channel, platformMessageId } },
          });
          if (seen) return { messageId: seen.id, duplicate: true };
        }
        return store(tx, conversation);
      });
    } catch (error) {
      if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === 'P2002') {
        const seen = await deps.prisma.message.findFirst({ where: { platformMessageId: platformMessageId ?? '' } });
        return { messageId: seen?.id ?? '', duplicate: true };
      }
      throw error;
    }
  }

  /** The founder's words to the customer: through the outbox; the conversation waits for the customer. */
  async function sendFounderText(tx: Tx, conversation: Conversation, input: { text: string; founder: string; platformMessageId?: string }) {
    const threadId = readState(conversation.state).replyThreadId;
    const messageId = await enqueueCustomerMessage(tx, {
      conversation,
      text: input.text,
      author: 'founder',
      authorRef: input.founder,
      ...(threadId ? { threadId } : {}),
      ...(input.platformMessageId ? { platformMessageId: input.platformMessageId } : {}),
    });
    const at = now();
    await tx.conversation.update({
      where: { id: conversation.id },
      data: { status: 'waiting_customer', firstResponseAt: conversation.firstResponseAt ?? at, resolvedAt: null },
    });
    if (conversation.status !== 'waiting_customer') {
      await enqueueFounderNotice(tx, { type: 'status', conversationId: conversation.id, status: 'waiting_customer', by: input.founder });
    }
    return { messageId, duplicate: false };
  }

  return {
    async reply({ conversationId, text, founder, platformMessageId, attachments = [] }) {
      // Whoever calls this (a console's message, a Send draft button, a future channel), text that
      // reads as a private note is refused here rather than trusted to have been classified.
      if (classifyFounderText(text).kind === 'note') throw new NoteNotSendableError();
      return storeOnce(conversationId, platformMessageId, async (tx, conversation) => {
        if (attachments.length > 0) {
          // Never dropped silently: the founder learns in the thread that the files did not go.
          const names = attachments.map((a) => a.name ?? a.kind);
          await enqueueFounderNotice(tx, { type: 'attachments_not_relayed', conversationId, names });
          if (text.trim() === '') {
            // Kept in the conversation (never sent), under the platform id: a redelivery of the
            // same reply finds it and tells the founder nothing twice.
            const kept = await tx.message.create({
              data: {
                conversationId,
                direction: 'outbound',
                author: 'founder',
                authorRef: founder,
                text: '',
                attachments: attachments as Prisma.InputJsonValue,
                channel: conversation.channel,
                platformMessageId: platformMessageId ?? null,
                deliveryState: 'not_applicable',
                deliveryError: 'files are not relayed to customers',
              },
            });
            return { messageId: kept.id, duplicate: false };
          }
        }
        return sendFounderText(tx, conversation, { text, founder, ...(platformMessageId ? { platformMessageId } : {}) });
      });
    },

    async sendDraft({ conversationId, founder, platformMessageId }) {
      return storeOnce(conversationId, platformMessageId, async (tx, loaded) => {
        // Two presses (two consoles, two ids) queue here, and the second finds the draft gone.
        await lockChat(tx, loaded.channel, loaded.externalChatId);
        const conversation = await load(tx, conversationId);
        const state = readState(conversation.state);
        if (!state.draft) throw new NoDraftError();
        if (classifyFounderText(state.draft.text).kind === 'note') throw new NoteNotSendableError();
        await tx.conversation.update({ where: { id: conversationId }, data: { state: { ...state, draft: null } as Prisma.InputJsonValue } });
        await tx.auditLog.create({
          data: { actor: founder, action: 'conversation.send_draft', entity: 'conversation', entityId: conversationId, details: { articleIds: state.draft.articleIds } },
        });
        return sendFounderText(tx, conversation, { text: state.draft.text, founder, ...(platformMessageId ? { platformMessageId } : {}) });
      });
    },

    async note({ conversationId, text, founder, platformMessageId, attachments = [] }) {
      return storeOnce(conversationId, platformMessageId, async (tx, conversation) => {
        // No outbox row, and the outbox refuses this kind: a note has no way out to the customer.
        const kept = await tx.message.create({
          data: {
            conversationId,
            direction: 'outbound',
            author: 'founder',
            kind: 'note',
            authorRef: founder,
            text,
            attachments: attachments as Prisma.InputJsonValue,
            channel: conversation.channel,
            platformMessageId: platformMessageId ?? null,
            deliveryState: 'not_applicable',
          },
        });
        return { messageId: kept.id, duplicate: false };
      });
    },

    resolve: ({ conversationId, founder }) => inTx(async (tx) => void (await load(tx, conversationId), await setStatus(tx, conversationId, 'resolved', founder))),

    reopen: ({ conversationId, founder }) => inTx(async (tx) => void (await load(tx, conversationId), await setStatus(tx, conversationId, 'escalated', founder))),

    async saveAsArticle({ conversationId, founder, title, publish, articleSlug }) {
      const { question, answer } = await inTx(async (tx) => {
        await load(tx, conversationId);
        // A note is the founder's aside and a files-only message has no answer in it: neither is an article.
        const reply = await tx.message.findFirst({
          where: { conversationId, author: 'founder', kind: 'text', text: { not: '' } },
          orderBy: { createdAt: 'desc' },
        });
        if (!reply) throw new SolodeskError('nothing_to_save', 'there is no founder reply in this conversation yet');
        const asked = await tx.message.findFirst({
          where: {
            conversationId,
            author: 'customer',
            createdAt: { lte: reply.createdAt },
            kind: 'text',
          },
          orderBy: { createdAt: 'desc' },
        });
        return { question: asked?.text.trim() ?? '', answer: reply.text };
      });
      if (articleSlug) {
        const existing = await deps.kb.getBySlug(articleSlug);
        if (!existing) throw new SolodeskError('article_not_found', `no article with slug "${articleSlug}"`);
        if (question) await deps.kb.addExampleQuestion(existing.id, question, founder);
        return { slug: existing.slug, created: false };
      }
      const article = await deps.kb.create(
        {
          title: title?.trim() || firstLine(question) || firstLine(answer),
          body: answer,
          questions: question ? [question] : [],
          status: publish ? 'published' : 'draft',
        },
        founder,
      );
      return { slug: article.slug, created: true };
    },

    linkCustomer: (input) => inTx((tx) => linkCustomers(tx, input)),
    unlinkCustomer: (input) => inTx((tx) => unlinkLast(tx, { ...input, now: now() })),
    tagCustomer: (input) => inTx((tx) => tagCustomer(tx, input)),
    noteCustomer: (input) => inTx((tx) => noteCustomer(tx, { ...input, now: now() })),
    findCustomers: (query) => findCustomerProfiles(deps.prisma, query),

    kbGaps: (input) => readKbGaps(deps.prisma, input?.since ?? new Date(now().getTime() - DEFAULT_GAP_WINDOW_MS)),
    gapQuestions: (messageIds) => gapQuestionTexts(deps.prisma, messageIds),

    async conversationForThread({ channelId, threadTs }) {
      const conversation = await deps.prisma.conversation.findUnique({
        where: { founderChannelId_founderThreadTs: { founderChannelId: channelId, founderThreadTs: threadTs } },
        select: { id: true },
      });
      return conversation?.id ?? null;
    },

    async threadOf(conversationId) {
      const c = await deps.prisma.conversation.findUnique({
        where: { id: conversationId },
        select: { founderChannelId: true, founderThreadTs: true },
      });
      return c?.founderChannelId && c.founderThreadTs ? { channelId: c.founderChannelId, threadTs: c.founderThreadTs } : null;
    },

    async attachThread({ conversationId, channelId, threadTs }) {
      await deps.prisma.conversation.update({
        where: { id: conversationId },
        data: { founderChannelId: channelId, founderThreadTs: threadTs },
      });
    },
  };
}

function firstLine(text: string): string {
  const line = text.split('\n')[0]?.trim() ?? '';
  return line.length > 120 ? `${line.slice(0, 117)}…` : line;
}

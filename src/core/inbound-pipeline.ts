import { Prisma, type PrismaClient } from '@prisma/client';
import type { KbAnswer, KnowledgeBase } from '../kb/knowledge-base.ts';
import type { Clock } from '../observability/clock.ts';
import type { Logger } from '../observability/logger.ts';
import type { Metrics } from '../observability/metrics.ts';
import { offerSuggestions, sendAnswer, sendArticle, summarize } from './answers.ts';
import type { BusinessHours } from '../config/business-hours.ts';
import { countFloodingMessages } from './flood-count.ts';
import { acknowledgeFollowup } from './followup-acknowledgement.ts';
import { readState, type ConversationState } from './conversation-state.ts';
import { decideReply, readPickNumber, type DraftFacts, type PendingOffer, type ReplyContext, type ReplyDecision } from './decide-reply.ts';
import { describeCustomer, escalateToFounder, type EscalationDraft } from './escalation.ts';
import { asksForHuman } from './human-request.ts';
import type { InboundMessage } from './messages.ts';
import { enqueueCustomerMessage, enqueueFounderNotice, type Tx } from './outbox.ts';
import { phrases, replyLanguageOf } from './phrases.ts';
import type { Drafter, DraftResult, EscalationReason, InboundResult } from './ports.ts';
import { DEFAULT_CSAT_AFTER_ANSWER_MS, ratingAfterAnswer } from './satisfaction/ask-rating.ts';
import { applyRatingReply, conversationAwaitingRating, endRatingWait, ratingFacts } from './satisfaction/record-rating.ts';

export interface CoreSettings {
  businessHours?: BusinessHours;
  /** Customer messages per minute before the bot stops answering each one. */
  floodLimitPerMinute: number;
  /** How long a "did you mean" list stays pickable. */
  offerTtlMs: number;
  /** How long a picked article must go unrejected before its question teaches the KB. */
  learnAfterMs: number;
  /** Questions one customer may teach the KB per day. */
  lessonsPerCustomerPerDay: number;
  /** LLM_MODE: `auto` lets a grounded draft answer by itself; `draft` (or no drafter) never does. */
  llmMode: 'off' | 'draft' | 'auto';
  /**
   * Satisfaction ratings (src/core/satisfaction/): whether to ask (CSAT; the core asks only when
   * told, the service's configuration turns it on), and after how long a bot answer left alone counts as accepted.
   */
  csatEnabled: boolean;
  csatAfterAnswerMs: number;
  /** CSAT_HALF_LIFE_DAYS for the satisfaction score in reports (insight/satisfaction-score.ts's default without it). */
  csatHalfLifeDays?: number;
}

export const DEFAULT_CORE_SETTINGS: CoreSettings = {
  floodLimitPerMinute: 8,
  offerTtlMs: 30 * 60_000,
  learnAfterMs: 10 * 60_000,
  lessonsPerCustomerPerDay: 3,
  llmMode: 'off',
  csatEnabled: false,
  csatAfterAnswerMs: DEFAULT_CSAT_AFTER_ANSWER_MS,
};

export interface PipelineDeps {
  prisma: PrismaClient;
  kb: KnowledgeBase;
  settings: CoreSettings;
  logger: Logger;
  metrics: Metrics;
  /** The one clock of the core: what "now" is for every decision, timestamp and timer. */
  clock: Clock;
  /** Drafts for the founder from the KB (LLM_MODE draft or auto); absent without an LLM. */
  drafter?: Drafter;
}

type ConversationRow = Prisma.ConversationGetPayload<object>;
type ArticleRow = Prisma.ArticleGetPayload<object>;

/**
 * Stores a customer message exactly once and decides what happens to it, inside the caller's
 * transaction (the inbox processor's, which also marks the inbox row done): the message, every
 * reply it causes and the inbox row commit together or not at all.
 */
export async function storeAndDecide(
  deps: PipelineDeps,
  tx: Tx,
  message: InboundMessage,
  kb: KbAnswer | null,
  /**
   * The LLM's draft, made before the transaction (an LLM call must not hold it open): shown on an
   * escalation, or sent in LLM_MODE=auto when decideReply says so.
   */
  draft?: DraftResult,
): Promise<InboundResult> {
  const now = new Date(deps.clock.now());
  await lockChat(tx, message.channel, message.externalChatId);
  const seen = await tx.message.findUnique({
    where: { channel_platformMessageId: { channel: message.channel, platformMessageId: message.platformMessageId } },
    select: { conversationId: true },
  });
  if (seen) return { duplicate: true, conversationId: seen.conversationId };

  const customerId = await identifyCustomer(tx, message);
  const conversation = (await conversationAwaitingRating(tx, message, now)) ?? (await findOrOpenConversation(tx, customerId, message, now));
  await tx.message.create({
    data: {
      conversationId: conversation.id,
      direction: 'inbound',
      author: 'customer',
      authorRef: message.externalUserId,
      text: message.text,
      attachments: message.attachments as Prisma.InputJsonValue,
      channel: message.channel,
      platformMessageId: message.platformMessageId,
      replyToId: message.replyToPlatformMessageId ?? null,
      raw: (message.raw ?? Prisma.JsonNull) as Prisma.InputJsonValue,
      createdAt: message.sentAt > now ? now : message.sentAt,
    },
  });
  await tx.conversation.update({ where: { id: conversation.id }, data: { lastMessageAt: now } });

  // The facts below read the rating state as it was (conversation.state); what is done keeps it ended.
  const state = await endRatingWait(tx, conversation);
  if (message.autoReply !== undefined) {
    // A bot command (/start, /help): answered with its fixed text, like any reply, through the outbox.
    await enqueueCustomerMessage(tx, {
      conversation,
      text: message.autoReply ?? '',
      author: 'bot',
      ...(state.replyThreadId ? { threadId: state.replyThreadId } : {}),
    });
    return { duplicate: false, conversationId: conversation.id, outcome: 'auto_reply' };
  }
  if (kb === null) throw new Error('a customer question needs the KB answer to decide on');
  const facts = await readReplyFacts(tx, deps, { message, kb, conversation, customerId, now, stored: true, draft: draft?.kind === 'draft' ? draft : null });
  const decision = decideReply(facts.context);
  if (draft !== undefined) await auditDraft(tx, deps, conversation.id, draft, decision);
  await applyDecision(deps, tx, {
    message, conversation, state, offer: facts.offer, kb, decision, now, sendable: facts.sendable,
    ...(draft?.kind === 'draft' && decision.kind !== 'auto_answer' ? { draft } : {}),
  });
  return { duplicate: false, conversationId: conversation.id, outcome: decision.kind };
}

/**
 * What decideReply reads, gathered once for both readers: the deciding transaction (`stored`: the
 * message is in the count) and the preview before it (nothing stored yet, maybe no conversation).
 */
async function readReplyFacts(
  db: Tx,
  deps: PipelineDeps,
  input: {
    message: InboundMessage;
    kb: KbAnswer;
    conversation: Pick<ConversationRow, 'status' | 'state'> | null;
    customerId: string | null;
    now: Date;
    stored: boolean;
    draft: DraftFacts | null;
  },
): Promise<{ context: ReplyContext; offer: PendingOffer | null; sendable: Map<string, ArticleRow> }> {
  const { message, kb, conversation, now } = input;
  const state = readState(conversation?.state);
  const offer = freshOffer(state.offer, now, deps.settings.offerTtlMs);
  const pickedNumber = offer ? readPickNumber(message.text, offer.articles.length) : null;
  const rating = ratingFacts(state, message.text, now);
  // A pick from the list the bot offered, or a rating it asked for, answers the bot: never a flood.
  const answersTheBot = (pickedNumber !== null && pickedNumber > 0) || rating.score !== null;
  const recentCount = input.customerId === null || answersTheBot ? 0 : await countFloodingMessages(db, input.customerId, now);
  // Read through the transaction: on PGlite a query outside it would wait for it forever.
  const sendable = await publishedArticles(db, [
    kb.decision.articleId,
    ...(offer?.articles.map((a) => a.articleId) ?? []),
    ...(input.draft?.citedArticleIds ?? []),
  ]);
  const context: ReplyContext = {
    withFounder: conversation?.status === 'escalated' || conversation?.status === 'waiting_customer',
    flooded: !answersTheBot && recentCount + (input.stored ? 0 : 1) > deps.settings.floodLimitPerMinute,
    floodNoticeSent: Boolean(state.floodNoticeAt && now.getTime() - Date.parse(state.floodNoticeAt) < 10 * 60_000),
    humanRequested: asksForHuman(message.text),
    offer,
    pickedNumber,
    rating,
    kb,
    llm: { autoAnswers: deps.settings.llmMode === 'auto', draft: input.draft },
    published: (articleId) => sendable.has(articleId),
  };
  return { context, offer, sendable };
}

/**
 * How the message would be decided if it were stored now, read without a transaction: the inbox
 * processor asks the LLM (seconds, outside any transaction) only when this says the founder gets
 * it. The real decision is made again in the transaction; when the two differ (a founder replied
 * meanwhile), a draft goes unused or an escalation goes without one, never anything worse.
 */
export async function previewReply(deps: PipelineDeps, message: InboundMessage, kb: KbAnswer): Promise<ReplyDecision> {
  const { prisma } = deps;
  const seen = await prisma.message.findUnique({
    where: { channel_platformMessageId: { channel: message.channel, platformMessageId: message.platformMessageId } },
    select: { id: true },
  });
  if (seen) return { kind: 'store_only' };
  const now = new Date(deps.clock.now());
  const [identity, conversation] = await Promise.all([
    prisma.channelIdentity.findUnique({
      where: { channel_externalUserId: { channel: message.channel, externalUserId: message.externalUserId } },
      select: { customerId: true },
    }),
    conversationAwaitingRating(prisma, message, now).then(
      (rated) =>
        rated ??
        prisma.conversation.findFirst({
          where: { channel: message.channel, externalChatId: message.externalChatId, status: { not: 'resolved' } },
          orderBy: { createdAt: 'desc' },
          select: { status: true, state: true },
        }),
    ),
  ]);
  const facts = await readReplyFacts(prisma, deps, { message, kb, conversation, customerId: identity?.customerId ?? null, now, stored: false, draft: null });
  return decideReply(facts.context);
}

/**
 * The draft as the founder sees it: its text, the published articles it cites, and in
 * LLM_MODE=auto why it was not sent by itself.
 */
function draftForFounder(
  deps: PipelineDeps,
  draft: Extract<DraftResult, { kind: 'draft' }>,
  reason: EscalationReason,
  sendable: Map<string, ArticleRow>,
): EscalationDraft {
  const sources = draft.citedArticleIds.flatMap((id) => {
    const article = sendable.get(id);
    return article ? [{ id: article.id, slug: article.slug, title: article.title }] : [];
  });
  if (deps.settings.llmMode !== 'auto') return { text: draft.answer, sources };
  const notSentBecause =
    reason === 'human_requested'
      ? 'the customer asked for a person'
      : (draft.whyNotAuto ?? (sources.length < draft.citedArticleIds.length ? 'a cited article is no longer published' : 'the LLM could not ground it'));
  return { text: draft.answer, sources, notSentBecause };
}

/** Token usage is part of the audit log: one row per LLM request a message caused. */
async function auditDraft(tx: Tx, deps: PipelineDeps, conversationId: string, draft: DraftResult, decision: ReplyDecision): Promise<void> {
  await tx.auditLog.create({
    data: {
      actor: 'llm',
      action: draft.kind === 'draft' ? (decision.kind === 'auto_answer' ? 'llm.auto_answer' : 'llm.draft') : 'llm.unavailable',
      entity: 'conversation',
      entityId: conversationId,
      details: {
        tokens: draft.tokens ?? 0,
        ...(draft.kind === 'draft'
          ? { cited: draft.citedArticleIds, autoSendable: draft.autoSendable, ...(draft.whyNotAuto ? { whyNotAuto: draft.whyNotAuto } : {}) }
          : { reason: draft.reason }),
      },
      createdAt: new Date(deps.clock.now()),
    },
  });
}

/** Serialises work on one chat across processes for the rest of the transaction. */
export async function lockChat(tx: Tx, channel: string, chatId: string): Promise<void> {
  await tx.$queryRaw`SELECT 1 AS locked FROM (SELECT pg_advisory_xact_lock(hashtext(${`${channel}:${chatId}`}))) AS l`;
}

async function identifyCustomer(tx: Tx, message: InboundMessage): Promise<string> {
  const key = { channel: message.channel, externalUserId: message.externalUserId };
  const existing = await tx.channelIdentity.findUnique({ where: { channel_externalUserId: key } });
  if (existing) {
    await tx.channelIdentity.update({
      where: { id: existing.id },
      data: {
        // Writing again means they can be reached again.
        blockedAt: null,
        username: message.sender.username ?? existing.username,
        displayName: message.sender.displayName ?? existing.displayName,
      },
    });
    return existing.customerId;
  }
  const customer = await tx.customer.create({
    data: {
      displayName: message.sender.displayName ?? message.sender.username ?? null,
      locale: message.sender.language ?? null,
      identities: {
        create: { ...key, username: message.sender.username ?? null, displayName: message.sender.displayName ?? null },
      },
    },
  });
  return customer.id;
}

async function findOrOpenConversation(
  tx: Tx,
  customerId: string,
  message: InboundMessage,
  now: Date,
): Promise<ConversationRow> {
  const open = await tx.conversation.findFirst({
    where: { channel: message.channel, externalChatId: message.externalChatId, status: { not: 'resolved' } },
    orderBy: { createdAt: 'desc' },
  });
  if (open) return open;
  const state: ConversationState = message.threadId ? { replyThreadId: message.threadId } : {};
  return tx.conversation.create({
    data: {
      customerId,
      channel: message.channel,
      externalChatId: message.externalChatId,
      lastMessageAt: now,
      state: state as Prisma.InputJsonValue,
    },
  });
}

/** The articles among `ids` that may be sent now (published), by id. */
export async function publishedArticles(tx: Tx, ids: Array<string | null | undefined>): Promise<Map<string, ArticleRow>> {
  const wanted = [...new Set(ids.filter((id): id is string => typeof id === 'string'))];
  if (wanted.length === 0) return new Map();
  const rows = await tx.article.findMany({ where: { id: { in: wanted }, status: 'published' } });
  return new Map(rows.map((row) => [row.id, row]));
}

export function freshOffer(offer: PendingOffer | null | undefined, now: Date, ttlMs: number): PendingOffer | null {
  return offer && now.getTime() - Date.parse(offer.at) <= ttlMs ? offer : null;
}

async function applyDecision(
  deps: PipelineDeps,
  tx: Tx,
  c: {
    message: InboundMessage;
    conversation: ConversationRow;
    state: ConversationState;
    offer: PendingOffer | null;
    kb: KbAnswer;
    decision: ReplyDecision;
    now: Date;
    /** The published articles the decision could name (it sends only one of these). */
    sendable: Map<string, ArticleRow>;
    draft?: Extract<DraftResult, { kind: 'draft' }>;
  },
): Promise<void> {
  const { message, conversation, decision, now } = c;
  const language = replyLanguageOf(message.text);
  const threadId = c.state.replyThreadId;
  const attachments = message.attachments.map((a) => ({ kind: a.kind, ...(a.name ? { name: a.name } : {}) }));
  const setState = (patch: Partial<ConversationState>) =>
    tx.conversation.update({
      where: { id: conversation.id },
      data: { state: { ...c.state, ...patch } as Prisma.InputJsonValue },
    });

  switch (decision.kind) {
    case 'relay_to_founder':
      await enqueueFounderNotice(tx, { type: 'customer_followup', conversationId: conversation.id, text: message.text, attachments });
      if (conversation.status === 'waiting_customer') {
        await tx.conversation.update({ where: { id: conversation.id }, data: { status: 'escalated' } });
      }
      await acknowledgeFollowup(tx, { conversation, state: c.state, language, now, businessHours: deps.settings.businessHours, ...(threadId ? { threadId } : {}) });
      return;
    case 'store_only':
      return;
    case 'escalate': {
      const draft = c.draft && decision.reason !== 'flood' ? draftForFounder(deps, c.draft, decision.reason, c.sendable) : undefined;
      await escalateToFounder(tx, {
        conversationId: conversation.id,
        reason: decision.reason,
        question: decision.reason === 'no_suggestion_fit' && c.offer ? c.offer.question : message.text,
        attachments,
        kb: c.kb,
        ...(decision.reason === 'no_suggestion_fit' && c.offer ? { candidates: c.offer.articles } : {}),
        language,
        ...(threadId ? { threadId } : {}),
        ...(deps.settings.businessHours ? { businessHours: deps.settings.businessHours } : {}),
        now,
        ...(decision.reason === 'flood' ? { customerText: phrases(language).flood } : {}),
        ...(draft ? { draft } : {}),
      });
      // An escalation means the last pick did not settle it: nothing is learned from it. The draft
      // is kept for Send draft / `!send`; a newer escalation without one clears it.
      await setState({
        offer: null,
        lesson: null,
        draft: draft ? { text: draft.text, articleIds: draft.sources.map((a) => a.id), at: now.toISOString() } : null,
        ...(decision.reason === 'flood' ? { floodNoticeAt: now.toISOString() } : {}),
      });
      return;
    }
    case 'auto_answer': {
      const sources = decision.articleIds.map((id) => c.sendable.get(id)!);
      await sendAnswer(tx, {
        conversation,
        text: decision.answer,
        articleId: sources[0]!.id,
        confidence: null,
        language,
        ...(threadId ? { threadId } : {}),
        now,
      });
      await enqueueFounderNotice(tx, {
        type: 'auto_answer',
        conversationId: conversation.id,
        customer: await describeCustomer(tx, conversation.id),
        question: message.text,
        answer: decision.answer,
        sources: sources.map((a) => ({ slug: a.slug, title: a.title })),
      });
      await setState({ offer: null, draft: null, csat: ratingAfterAnswer(conversation, deps.settings, now) });
      return;
    }
    case 'answer':
    case 'pick': {
      const article = c.sendable.get(decision.articleId)!;
      const confidence = decision.kind === 'answer' ? decision.confidence : 1;
      await sendArticle(tx, { conversation, article, confidence, language, ...(threadId ? { threadId } : {}), now });
      const lesson =
        decision.kind === 'pick' && c.offer
          ? { articleId: article.id, question: c.offer.question, at: now.toISOString(), customerId: conversation.customerId }
          : c.state.lesson ?? null;
      await setState({ offer: null, lesson, csat: ratingAfterAnswer(conversation, deps.settings, now) });
      return;
    }
    case 'rate':
    case 'rating_comment':
      await applyRatingReply(tx, decision, { conversation, state: c.state, text: message.text, language, ...(threadId ? { threadId } : {}), now });
      return;
    case 'suggest': {
      const articles = summarize(c.kb.ranked.filter((r) => decision.articleIds.includes(r.article.id)));
      const offer = await offerSuggestions(tx, {
        conversation,
        articles,
        question: message.text,
        language,
        ...(threadId ? { threadId } : {}),
        now,
      });
      await setState({ offer });
      return;
    }
  }
}

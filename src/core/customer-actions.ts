import { Prisma } from '@prisma/client';
import { sendArticle } from './answers.ts';
import { readState, type ConversationState } from './conversation-state.ts';
import { decodeCustomerAction, type CustomerActionKind } from './customer-action.ts';
import { decidePress, type PendingOffer } from './decide-reply.ts';
import { escalateToFounder } from './escalation.ts';
import { freshOffer, lockChat, publishedArticles, type PipelineDeps } from './inbound-pipeline.ts';
import { enqueueCustomerMessage, type Tx } from './outbox.ts';
import { phrases, replyLanguageOf } from './phrases.ts';
import type { CustomerAction, InboundResult } from './ports.ts';
import { askForRating, ratingAfterAnswer } from './satisfaction/ask-rating.ts';
import { conversationOfPrompt, recordRating } from './satisfaction/record-rating.ts';

// Button presses: 👍/👎 on an answer, a pick from a "did you mean" list, a 1–5 rating. A press is stored as a
// message of kind `action` (so a redelivered press is a no-op, and it shows in the history
// without passing for something the customer wrote) and is checked against the conversation as
// it is now, so a stale button is answered, never misapplied. What a press leads to is decided
// by decidePress (decide-reply.ts); this file gathers the facts and carries the decision out.

export async function handleAction(deps: PipelineDeps, action: CustomerAction): Promise<InboundResult> {
  try {
    return await deps.prisma.$transaction((tx) => applyAction(deps, tx, action), { timeout: 15_000, maxWait: 15_000 });
  } catch (error) {
    if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === 'P2002') return { duplicate: true };
    throw error;
  }
}

async function applyAction(deps: PipelineDeps, tx: Tx, action: CustomerAction): Promise<InboundResult> {
  const now = new Date(deps.clock.now());
  await lockChat(tx, action.channel, action.externalChatId);
  const platformMessageId = `action:${action.platformEventId}`;
  const seen = await tx.message.findUnique({
    where: { channel_platformMessageId: { channel: action.channel, platformMessageId } },
  });
  if (seen) return { duplicate: true, conversationId: seen.conversationId };
  const decoded = decodeCustomerAction(action.action);
  // A 1–5 rating rates the conversation it was asked in, even when the chat has a newer one.
  const prompted = decoded?.kind === 'csat' ? await conversationOfPrompt(tx, action, decoded.messageId) : null;
  const conversation =
    prompted ??
    (await tx.conversation.findFirst({
      where: { channel: action.channel, externalChatId: action.externalChatId },
      orderBy: { createdAt: 'desc' },
    }));
  if (!conversation) return { duplicate: false, outcome: 'ignored' };
  await tx.message.create({
    data: {
      conversationId: conversation.id,
      direction: 'inbound',
      author: 'customer',
      authorRef: action.externalUserId,
      kind: 'action',
      text: describe(decoded),
      channel: action.channel,
      platformMessageId,
      raw: { action: action.action },
    },
  });
  const lastCustomerText = await tx.message.findFirst({
    where: { conversationId: conversation.id, author: 'customer', kind: 'text' },
    orderBy: { createdAt: 'desc' },
  });
  const state = readState(conversation.state);
  const language = replyLanguageOf(lastCustomerText?.text ?? '');
  const threadId = state.replyThreadId;
  const offer = freshOffer(state.offer, now, deps.settings.offerTtlMs);
  const rated = decoded?.kind === 'feedback' ? await ratedMessage(tx, conversation.id, decoded.messageId) : null;
  const sendable = await publishedArticles(tx, offer?.articles.map((a) => a.articleId) ?? []);
  const decision = decidePress({
    action: decoded,
    withFounder: conversation.status === 'escalated' || conversation.status === 'waiting_customer',
    resolved: conversation.status === 'resolved',
    rated:
      decoded?.kind === 'csat'
        ? { found: prompted !== null, before: conversation.csatScore !== null }
        : { found: rated !== null, before: rated?.rated ?? false },
    offer,
    published: (articleId) => sendable.has(articleId),
  });

  const say = phrases(language);
  const base = { duplicate: false, conversationId: conversation.id };
  const reply = (text: string) => enqueueCustomerMessage(tx, { conversation, text, author: 'system', ...(threadId ? { threadId } : {}) });
  const setState = (patch: Partial<ConversationState>) =>
    tx.conversation.update({ where: { id: conversation.id }, data: { state: { ...state, ...patch } as Prisma.InputJsonValue } });
  const escalate = (reason: 'customer_rejected_answer' | 'no_suggestion_fit', question: string, extra: { candidates?: PendingOffer['articles']; customerText?: string } = {}) =>
    escalateToFounder(tx, {
      conversationId: conversation.id,
      reason,
      question,
      attachments: [],
      language,
      ...extra,
      ...(threadId ? { threadId } : {}),
      ...(deps.settings.businessHours ? { businessHours: deps.settings.businessHours } : {}),
      now,
    });
  const rate = (vote: 'up' | 'down') =>
    tx.feedback.create({
      data: { conversationId: conversation.id, messageId: rated!.id, articleId: rated!.articleId, score: vote === 'up' ? 5 : 1 },
    });

  switch (decision.kind) {
    case 'stale':
      if (decision.tell) await reply(say.staleChoice);
      if (decision.clearOffer) await setState({ offer: null });
      return { ...base, outcome: 'stale' };
    case 'already_rated':
      if (decision.tell) await reply(say.alreadyRated);
      return { ...base, outcome: 'already_rated' };
    case 'rate':
      await recordRating(tx, {
        conversation,
        state,
        score: decision.score,
        promptMessageId: decoded?.kind === 'csat' ? decoded.messageId : null,
        language,
        ...(threadId ? { threadId } : {}),
        now,
      });
      return { ...base, outcome: 'rate' };
    case 'feedback_up': {
      await rate('up');
      // An answer that helped is an accepted answer: the rating is asked now, the thanks folded in.
      const asked = await askForRating(tx, deps.settings, { conversationId: conversation.id, now, preface: say.thanksFeedback });
      if (asked !== 'asked') await reply(say.thanksFeedback);
      return { ...base, outcome: 'feedback_up' };
    }
    case 'feedback_down':
      await rate('down');
      // A rejected answer teaches nothing; the founder takes over.
      await setState({ lesson: null });
      if (decision.escalate) await escalate('customer_rejected_answer', lastCustomerText?.text ?? '', { customerText: say.sorryEscalating });
      return { ...base, outcome: 'feedback_down' };
    case 'escalate':
      await escalate(decision.reason, offer!.question, { candidates: offer!.articles });
      await setState({ offer: null, lesson: null });
      return { ...base, outcome: 'escalate' };
    case 'pick': {
      const article = sendable.get(decision.articleId)!;
      await sendArticle(tx, { conversation, article, confidence: 1, language, ...(threadId ? { threadId } : {}), now });
      await setState({
        offer: null,
        lesson: { articleId: article.id, question: offer!.question, at: now.toISOString(), customerId: conversation.customerId },
        csat: ratingAfterAnswer(conversation, deps.settings, now),
      });
      return { ...base, outcome: 'pick' };
    }
  }
}

/** The message a 👍/👎 rates, when it is this conversation's, and whether it was rated before. */
async function ratedMessage(tx: Tx, conversationId: string, messageId: string): Promise<{ id: string; articleId: string | null; rated: boolean } | null> {
  const message = await tx.message.findFirst({ where: { id: messageId, conversationId }, select: { id: true, articleId: true } });
  if (!message) return null;
  const earlier = await tx.feedback.findFirst({ where: { messageId }, select: { id: true } });
  return { ...message, rated: earlier !== null };
}

/** The press as the conversation history shows it (for people reading it; no code reads it back). */
function describe(action: CustomerActionKind | null): string {
  switch (action?.kind) {
    case 'feedback':
      return action.vote === 'up' ? '[pressed 👍]' : '[pressed 👎]';
    case 'pick':
      return `[pressed: suggestion ${action.choice}]`;
    case 'none_of_these':
      return '[pressed: none of these]';
    case 'csat':
      return `[pressed: rating ${action.score}]`;
    case undefined:
      return '[pressed a button]';
  }
}

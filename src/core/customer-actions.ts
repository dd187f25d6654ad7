import { Prisma } from '@prisma/client';
import { sendArticle } from './answers.ts';
import { readState } from './conversation-state.ts';
import { escalateToFounder } from './escalation.ts';
import { lockChat, type PipelineDeps } from './inbound-pipeline.ts';
import { enqueueCustomerMessage, type Tx } from './outbox.ts';
import { phrases, replyLanguageOf } from './phrases.ts';
import type { CustomerAction, InboundResult } from './ports.ts';

// Button presses: 👍/👎 on an answer, a pick from a "did you mean" list. A press is stored like
// a message (so a redelivered press is a no-op) and is checked against the conversation as it
// is now, so a stale button is answered, never misapplied.

const FEEDBACK = /^fb:(up|down):([0-9a-f-]{36})$/;
const PICK = /^pick:([0-9a-f]{10}):([0-3])$/;

export async function handleAction(deps: PipelineDeps, action: CustomerAction): Promise<InboundResult> {
  try {
    return await deps.prisma.$transaction((tx) => applyAction(deps, tx, action), { timeout: 15_000, maxWait: 15_000 });
  } catch (error) {
    if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === 'P2002') return { duplicate: true };
    throw error;
  }
}

async function applyAction(deps: PipelineDeps, tx: Tx, action: CustomerAction): Promise<InboundResult> {
  const now = deps.now?.() ?? new Date();
  await lockChat(tx, action.channel, action.externalChatId);
  const platformMessageId = `action:${action.platformEventId}`;
  const seen = await tx.message.findUnique({
    where: { channel_platformMessageId: { channel: action.channel, platformMessageId } },
  });
  if (seen) return { duplicate: true, conversationId: seen.conversationId };
  const conversation = await tx.conversation.findFirst({
    where: { channel: action.channel, externalChatId: action.externalChatId },
    orderBy: { createdAt: 'desc' },
  });
  if (!conversation) return { duplicate: false, outcome: 'ignored' };
  const label = describe(action.action);
  await tx.message.create({
    data: {
      conversationId: conversation.id,
      direction: 'inbound',
      author: 'customer',
      authorRef: action.externalUserId,
      text: label,
      channel: action.channel,
      platformMessageId,
      raw: { action: action.action },
    },
  });
  const state = readState(conversation.state);
  const lastCustomerText = await tx.message.findFirst({
    where: { conversationId: conversation.id, author: 'customer', NOT: { text: { startsWith: '[pressed' } } },
    orderBy: { createdAt: 'desc' },
  });
  const language = replyLanguageOf(lastCustomerText?.text ?? '');
  const say = phrases(language);
  const threadId = state.replyThreadId;
  const base = { duplicate: false, conversationId: conversation.id };
  const setState = (patch: object) =>
    tx.conversation.update({ where: { id: conversation.id }, data: { state: { ...state, ...patch } as Prisma.InputJsonValue } });

  const feedback = FEEDBACK.exec(action.action);
  if (feedback) {
    const [, vote, messageId] = feedback;
    const answered = await tx.message.findFirst({ where: { id: messageId, conversationId: conversation.id } });
    if (!answered) return { ...base, outcome: 'stale' };
    const already = await tx.feedback.findFirst({ where: { messageId } });
    if (already) return { ...base, outcome: 'already_rated' };
    await tx.feedback.create({
      data: { conversationId: conversation.id, messageId, articleId: answered.articleId, score: vote === 'up' ? 5 : 1 },
    });
    if (vote === 'up') {
      await enqueueCustomerMessage(tx, { conversation, text: say.thanksFeedback, author: 'system', ...(threadId ? { threadId } : {}) });
      return { ...base, outcome: 'feedback_up' };
    }
    // A rejected answer teaches nothing; the founder takes over.
    await setState({ lesson: null });
    if (conversation.status !== 'escalated' && conversation.status !== 'waiting_customer') {
      await escalateToFounder(tx, {
        conversationId: conversation.id,
        reason: 'customer_rejected_answer',
        question: lastCustomerText?.text ?? '',
        attachments: [],
        language,
        ...(threadId ? { threadId } : {}),
        ...(deps.settings.businessHours ? { businessHours: deps.settings.businessHours } : {}),
        now,
        customerText: say.sorryEscalating,
      });
    }
    return { ...base, outcome: 'feedback_down' };
  }

  const pick = PICK.exec(action.action);
  const offer = state.offer;
  const fresh = offer && now.getTime() - Date.parse(offer.at) <= deps.settings.offerTtlMs;
  if (!pick || !offer || offer.id !== pick[1] || !fresh || conversation.status === 'resolved') {
    await enqueueCustomerMessage(tx, { conversation, text: say.staleChoice, author: 'system', ...(threadId ? { threadId } : {}) });
    return { ...base, outcome: 'stale' };
  }
  const n = Number(pick[2]);
  if (n === 0) {
    await escalateToFounder(tx, {
      conversationId: conversation.id,
      reason: 'no_suggestion_fit',
      question: offer.question,
      attachments: [],
      candidates: offer.articles,
      language,
      ...(threadId ? { threadId } : {}),
      ...(deps.settings.businessHours ? { businessHours: deps.settings.businessHours } : {}),
      now,
    });
    await setState({ offer: null, lesson: null });
    return { ...base, outcome: 'escalate' };
  }
  const chosen = offer.articles[n - 1];
  const article = chosen ? await tx.article.findUnique({ where: { id: chosen.articleId } }) : null;
  if (!article || article.status !== 'published') {
    await enqueueCustomerMessage(tx, { conversation, text: say.staleChoice, author: 'system', ...(threadId ? { threadId } : {}) });
    await setState({ offer: null });
    return { ...base, outcome: 'stale' };
  }
  await sendArticle(tx, { conversation, article, confidence: 1, language, ...(threadId ? { threadId } : {}), now });
  await setState({
    offer: null,
    lesson: { articleId: article.id, question: offer.question, at: now.toISOString(), customerId: conversation.customerId },
  });
  return { ...base, outcome: 'pick' };
}

function describe(action: string): string {
  if (action.startsWith('fb:up:')) return '[pressed 👍]';
  if (action.startsWith('fb:down:')) return '[pressed 👎]';
  const pick = PICK.exec(action);
  if (pick) return pick[2] === '0' ? '[pressed: none of these]' : `[pressed: suggestion ${pick[2]}]`;
  return '[pressed a button]';
}

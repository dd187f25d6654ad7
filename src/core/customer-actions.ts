import { Prisma } from '@prisma/client';
import { sendArticle } from './answers.ts';
import { readState, type ConversationState } from './conversation-state.ts';
import { decodeCustomerAction, type CustomerActionKind } from './customer-action.ts';
import { escalateToFounder } from './escalation.ts';
import { lockChat, type PipelineDeps } from './inbound-pipeline.ts';
import { enqueueCustomerMessage, type Tx } from './outbox.ts';
import { phrases, replyLanguageOf, type ReplyLanguage } from './phrases.ts';
import type { CustomerAction, InboundResult } from './ports.ts';

// Button presses: 👍/👎 on an answer, a pick from a "did you mean" list. A press is stored as a
// message of kind `action` (so a redelivered press is a no-op, and it shows in the history
// without passing for something the customer wrote) and is checked against the conversation as
// it is now, so a stale button is answered, never misapplied.

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
  const conversation = await tx.conversation.findFirst({
    where: { channel: action.channel, externalChatId: action.externalChatId },
    orderBy: { createdAt: 'desc' },
  });
  if (!conversation) return { duplicate: false, outcome: 'ignored' };
  const decoded = decodeCustomerAction(action.action);
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
  const press: Press = {
    deps,
    tx,
    conversation,
    state,
    question: lastCustomerText?.text ?? '',
    language,
    threadId,
    now,
    base: { duplicate: false, conversationId: conversation.id },
    reply: (text) => enqueueCustomerMessage(tx, { conversation, text, author: 'system', ...(threadId ? { threadId } : {}) }),
    setState: (patch) =>
      tx.conversation.update({ where: { id: conversation.id }, data: { state: { ...state, ...patch } as Prisma.InputJsonValue } }),
  };
  switch (decoded?.kind) {
    case 'feedback':
      return onFeedback(press, decoded);
    case 'pick':
    case 'none_of_these':
      return onPick(press, decoded);
    case undefined:
      // Not a button this desk made (or one from a format it no longer reads): said to be stale.
      await press.reply(phrases(language).staleChoice);
      return { ...press.base, outcome: 'stale' };
  }
}

/** One press being applied: the conversation as it is now and what every outcome needs. */
interface Press {
  deps: PipelineDeps;
  tx: Tx;
  conversation: Prisma.ConversationGetPayload<object>;
  state: ConversationState;
  /** The customer's last written message (never a press): the question a 👎 hands over. */
  question: string;
  language: ReplyLanguage;
  threadId: string | undefined;
  now: Date;
  base: { duplicate: false; conversationId: string };
  reply(text: string): Promise<unknown>;
  setState(patch: Partial<ConversationState>): Promise<unknown>;
}

async function onFeedback(press: Press, action: Extract<CustomerActionKind, { kind: 'feedback' }>): Promise<InboundResult> {
  const { tx, conversation, base, threadId, deps } = press;
  const answered = await tx.message.findFirst({ where: { id: action.messageId, conversationId: conversation.id } });
  if (!answered) return { ...base, outcome: 'stale' };
  const already = await tx.feedback.findFirst({ where: { messageId: action.messageId } });
  if (already) return { ...base, outcome: 'already_rated' };
  await tx.feedback.create({
    data: { conversationId: conversation.id, messageId: action.messageId, articleId: answered.articleId, score: action.vote === 'up' ? 5 : 1 },
  });
  const say = phrases(press.language);
  if (action.vote === 'up') {
    await press.reply(say.thanksFeedback);
    return { ...base, outcome: 'feedback_up' };
  }
  // A rejected answer teaches nothing; the founder takes over.
  await press.setState({ lesson: null });
  if (conversation.status !== 'escalated' && conversation.status !== 'waiting_customer') {
    await escalateToFounder(tx, {
      conversationId: conversation.id,
      reason: 'customer_rejected_answer',
      question: press.question,
      attachments: [],
      language: press.language,
      ...(threadId ? { threadId } : {}),
      ...(deps.settings.businessHours ? { businessHours: deps.settings.businessHours } : {}),
      now: press.now,
      customerText: say.sorryEscalating,
    });
  }
  return { ...base, outcome: 'feedback_down' };
}

async function onPick(press: Press, action: Extract<CustomerActionKind, { kind: 'pick' | 'none_of_these' }>): Promise<InboundResult> {
  const { tx, conversation, base, threadId, deps, now } = press;
  const say = phrases(press.language);
  const offer = press.state.offer;
  const fresh = offer && now.getTime() - Date.parse(offer.at) <= deps.settings.offerTtlMs;
  if (!offer || offer.id !== action.offerId || !fresh || conversation.status === 'resolved') {
    await press.reply(say.staleChoice);
    return { ...base, outcome: 'stale' };
  }
  if (action.kind === 'none_of_these') {
    await escalateToFounder(tx, {
      conversationId: conversation.id,
      reason: 'no_suggestion_fit',
      question: offer.question,
      attachments: [],
      candidates: offer.articles,
      language: press.language,
      ...(threadId ? { threadId } : {}),
      ...(deps.settings.businessHours ? { businessHours: deps.settings.businessHours } : {}),
      now,
    });
    await press.setState({ offer: null, lesson: null });
    return { ...base, outcome: 'escalate' };
  }
  const chosen = offer.articles[action.choice - 1];
  const article = chosen ? await tx.article.findUnique({ where: { id: chosen.articleId } }) : null;
  if (!article || article.status !== 'published') {
    await press.reply(say.staleChoice);
    await press.setState({ offer: null });
    return { ...base, outcome: 'stale' };
  }
  await sendArticle(tx, { conversation, article, confidence: 1, language: press.language, ...(threadId ? { threadId } : {}), now });
  await press.setState({
    offer: null,
    lesson: { articleId: article.id, question: offer.question, at: now.toISOString(), customerId: conversation.customerId },
  });
  return { ...base, outcome: 'pick' };
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
    case undefined:
      return '[pressed a button]';
  }
}

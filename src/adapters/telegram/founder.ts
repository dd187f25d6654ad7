import type { Context } from 'grammy';
import type { Message } from 'grammy/types';
import { PlatformApiError } from '../../errors.ts';
import { handleFounderMessage as handleFounderMessageInCore, type FounderOutcome } from '../../core/founder/founder-message.ts';
import {
  conversationsElsewhereHint, draftHint, escalationsHereHelp, howToAnswer, kbHelpLines, notInConversationHint, unknownCommandText, type HelpMarkup,
} from '../../core/founder/help.ts';
import { articleCount, gapsLines, KB_WORDS, runKbCommand } from '../../core/founder/kb-commands.ts';
import { customerChangeText } from '../../core/customers/profile-view.ts';
import { customerCommand } from './customer-command.ts';
import {
  channelEventView, NOTICE_WORDS, noticeView, statusSentence, type AutoAnswerView, type ChannelEventView, type EscalationView,
} from '../../core/founder/notice-view.ts';
import { FOUNDER_CHANNEL, type CoreApi, type Delivery, type FounderActions, type FounderNotice, type ReportView, type SendResult, type Sender } from '../../core/ports.ts';
import type { ArticleView, KnowledgeBase } from '../../kb/knowledge-base.ts';
import type { Logger } from '../../observability/logger.ts';
import { safeError } from './errors.ts';
import { escapeHtml, formatForTelegram, htmlToPlain, packHtmlParagraphs, TELEGRAM_TEXT_LIMIT, type TelegramChunk } from './format.ts';
import { attachmentsOf, leadingCommand } from './parse.ts';
import { DeliveryProgress, sendChunks, TELEGRAM_LIMITS, type TelegramSenderDeps } from './send.ts';

// The founder's side on Telegram, for founders who live there (FOUNDER_TELEGRAM_IDS):
// - `/kb search|show|list` from any allowlisted account, in a private chat only (never in a
//   group: KB internals are not for customers' eyes);
// - when Slack is not configured, Telegram is the founder console: a Sender for the `founder`
//   channel posts every FounderNotice to each founder, tagged `#c<conversation>`, and a founder
//   replying to such a message answers the customer (or resolves, reopens, saves as article);
//   a channel's event (a WeChat login QR code …) has no conversation: untagged, and a reply to it
//   is answered with a hint, never taken for a conversation reply.
// What a founder's message means, what each notice says and the help are the core's
// (core/founder/); this file renders them as Telegram HTML and carries them.

// ---------------------------------------------------------------------------------------------
// Conversation tags

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** `#c` + the conversation id (a UUID without its dashes, so Telegram shows one hashtag). */
export function conversationTag(conversationId: string): string {
  return `#c${UUID.test(conversationId) ? conversationId.replace(/-/g, '').toLowerCase() : conversationId}`;
}

/** The conversation id tagged in a message text, or null. Reverses conversationTag. */
export function conversationFromTag(text: string): string | null {
  const match = /#c([0-9A-Za-z_-]+)/.exec(text);
  if (match === null) return null;
  const id = match[1]!;
  if (/^[0-9a-f]{32}$/i.test(id)) {
    return `${id.slice(0, 8)}-${id.slice(8, 12)}-${id.slice(12, 16)}-${id.slice(16, 20)}-${id.slice(20)}`.toLowerCase();
  }
  return id;
}

// ---------------------------------------------------------------------------------------------
// Notices → messages (the words are the core's notice views; this is only HTML)

const HTML_MARKUP: HelpMarkup = { code: (t) => `<code>${escapeHtml(t)}</code>`, text: escapeHtml };

function filesLine(files: string[]): string | null {
  return files.length === 0 ? null : `📎 ${files.map(escapeHtml).join(', ')}`;
}

function escalationParagraphs(v: EscalationView, tag: string): string[] {
  const c = v.customer;
  const who = [
    `👤 <b>${escapeHtml(c.name)}</b>`,
    c.username ? `@${escapeHtml(c.username)}` : null,
    `${escapeHtml(c.channelName)} ${escapeHtml(c.externalId)}`,
    escapeHtml(c.conversations),
    escapeHtml(c.rating),
    c.otherIdentities.length > 0 ? `${NOTICE_WORDS.alsoOn}: ${c.otherIdentities.map(escapeHtml).join(', ')}` : null,
    c.tags.length > 0 ? `${NOTICE_WORDS.tags}: ${c.tags.map(escapeHtml).join(', ')}` : null,
  ].filter((p): p is string => p !== null).join(' · ');
  const paragraphs = [
    `🆘 <b>${NOTICE_WORDS.escalation}</b> ${tag}\n${NOTICE_WORDS.why}: ${escapeHtml(v.reasonText)}\n${who}`,
    `<b>${NOTICE_WORDS.question}</b>\n<blockquote>${escapeHtml(v.question)}</blockquote>`,
  ];
  if (c.notes.length > 0) paragraphs.push(`📝 <b>${NOTICE_WORDS.notes}</b>\n${c.notes.map(escapeHtml).join('\n')}`);
  const files = filesLine(v.files);
  if (files) paragraphs.push(files);
  if (v.earlier.length > 0) {
    paragraphs.push(`<b>${NOTICE_WORDS.earlier}</b>\n${v.earlier.map((h) => `<i>${escapeHtml(h.author)}:</i> ${escapeHtml(h.text)}`).join('\n')}`);
  }
  paragraphs.push(v.candidates.length === 0
    ? `<b>${NOTICE_WORDS.candidates}</b>\n${NOTICE_WORDS.noCandidates}`
    : `<b>${NOTICE_WORDS.candidates}</b>\n${v.candidates.map((k, i) => `${i + 1}. ${escapeHtml(k.title)} <code>${escapeHtml(k.slug)}</code> — ${k.percent}`).join('\n')}`);
  if (v.draft !== null) {
    const lines = [`<b>${NOTICE_WORDS.draft}</b>\n<blockquote>${escapeHtml(v.draft)}</blockquote>`];
    if (v.draftSources.length > 0) lines.push(`${NOTICE_WORDS.draftSources}: ${v.draftSources.map(escapeHtml).join(', ')}`);
    if (v.notSentBecause !== null) lines.push(`${NOTICE_WORDS.notSentBecause}: ${escapeHtml(v.notSentBecause)}`);
    lines.push(draftHint(HTML_MARKUP, 'message'));
    paragraphs.push(lines.join('\n'));
  }
  if (v.toldCustomer !== null) paragraphs.push(`ℹ️ ${NOTICE_WORDS.toldCustomer}: ${escapeHtml(v.toldCustomer)}`);
  paragraphs.push(`↩️ ${howToAnswer(HTML_MARKUP, 'message')}`);
  return paragraphs;
}

/**
 * Starts every channel-event message. No conversation notice starts with it (each starts with its
 * own mark or its tag), so a founder's reply to one is told apart even when the event's detail
 * (a WeChat name, a friend request's hello) happens to contain `#c…`.
 */
export const CHANNEL_EVENT_MARK = '📡';

function autoAnswerParagraphs(v: AutoAnswerView, tag: string): string[] {
  const c = v.customer;
  return [
    `🤖 <b>${NOTICE_WORDS.autoAnswer}</b> ${tag}\n👤 <b>${escapeHtml(c.name)}</b> · ${escapeHtml(c.channelName)} ${escapeHtml(c.externalId)}`,
    `<b>${NOTICE_WORDS.question}</b>\n<blockquote>${escapeHtml(v.question)}</blockquote>`,
    `<b>${NOTICE_WORDS.autoAnswerSent}</b>\n<blockquote>${escapeHtml(v.answer)}</blockquote>\n${NOTICE_WORDS.sources}: ${v.sources.map(escapeHtml).join(', ')}`,
    `↩️ ${escapeHtml(NOTICE_WORDS.autoAnswerHint)}`,
  ];
}

function channelEventParagraphs(v: ChannelEventView): string[] {
  const lines = [`${CHANNEL_EVENT_MARK} <b>${escapeHtml(v.title)}</b>`];
  if (v.detail !== null) lines.push(escapeHtml(v.detail));
  if (v.url !== null) lines.push(`🔗 <a href="${escapeHtml(v.url).replace(/"/g, '&quot;')}">${escapeHtml(v.linkText ?? v.url)}</a>`);
  return [lines.join('\n')];
}

function digestParagraphs(v: ReportView): string[] {
  return [
    `📊 <b>${escapeHtml(v.title)}</b>`,
    ...v.sections.map((s) => [...(s.heading ? [`<b>${escapeHtml(s.heading)}</b>`] : []), ...s.lines.map((l) => escapeHtml(l))].join('\n')),
  ];
}

/** The paragraphs (HTML) of one notice; the first one carries the tag (a channel event has none). */
export function renderNotice(notice: FounderNotice): string[] {
  const view = noticeView(notice);
  if (view.type === 'channel_event') return channelEventParagraphs(view);
  // The weekly digest: the report's title bold, each section a paragraph; about no conversation, so no tag.
  if (view.type === 'digest') return digestParagraphs(view.view);
  const tag = conversationTag(view.conversationId);
  switch (view.type) {
    case 'escalation':
      return escalationParagraphs(view, tag);
    case 'auto_answer':
      return autoAnswerParagraphs(view, tag);
    case 'customer_followup': {
      const paragraphs = [`💬 <b>${NOTICE_WORDS.customer}</b> ${tag}\n${escapeHtml(view.text)}`];
      const files = filesLine(view.files);
      if (files) paragraphs.push(files);
      return paragraphs;
    }
    case 'status':
      return [`🔔 ${tag} ${statusSentence(view, { text: escapeHtml, who: (ref) => `<b>${escapeHtml(ref)}</b>` })}`];
    case 'delivery_report':
      return view.delivered
        ? [`✅ ${tag} ${escapeHtml(view.text)}`]
        : [`⚠️ ${tag} <b>${escapeHtml(view.text)}</b>: ${escapeHtml(view.error ?? '')}`];
    case 'attachments_not_relayed':
      return [`📎 ${tag} ${escapeHtml(view.text)}${view.names.length > 1 ? `\n${view.names.map((n) => `• ${escapeHtml(n)}`).join('\n')}` : ''}`];
  }
}

/** Notice → messages of at most 4,096 characters, each one tagged so that any of them can be replied to. */
export function noticeChunks(notice: FounderNotice): TelegramChunk[] {
  if (notice.type === 'channel_event') {
    // Nothing to reply to, so no tag. Should Telegram refuse the HTML, the plain text still
    // carries the QR code's address (the link's href is lost with the tags).
    const view = channelEventView(notice);
    const chunks = packHtmlParagraphs(channelEventParagraphs(view));
    return chunks.map((chunk, i) => (view.url !== null && i === chunks.length - 1 ? { ...chunk, plain: `${chunk.plain}: ${view.url}` } : chunk));
  }
  if (notice.type === 'digest') return packHtmlParagraphs(renderNotice(notice));
  const tag = conversationTag(notice.conversationId);
  const chunks = packHtmlParagraphs(renderNotice(notice), TELEGRAM_TEXT_LIMIT - tag.length - 1);
  return chunks.map((chunk, i) => (i === 0 ? chunk : { ...chunk, text: `${tag}\n${chunk.text}`, plain: `${tag}\n${chunk.plain}` }));
}

function isFounderNotice(payload: Delivery['payload']): payload is FounderNotice {
  return !('message' in payload);
}

/** The founder console on Telegram: each notice goes to every founder id (their private chat with the bot). */
export function createFounderSender(deps: TelegramSenderDeps & { founderIds: readonly string[] }): Sender {
  const progress = new DeliveryProgress();
  return {
    channel: FOUNDER_CHANNEL,
    limits: TELEGRAM_LIMITS,
    async send(delivery: Delivery): Promise<SendResult> {
      if (!isFounderNotice(delivery.payload)) {
        throw new PlatformApiError('the Telegram founder console delivers founder notices only', { permanent: true });
      }
      const chunks = noticeChunks(delivery.payload);
      const ids: string[] = [];
      const unreachable: string[] = [];
      for (const founderId of deps.founderIds) {
        const key = `${delivery.id}:${founderId}`;
        try {
          ids.push(...(await sendChunks(deps, progress, key, founderId, chunks)));
        } catch (error) {
          // One founder who blocked the bot (or never opened it) must not keep the others waiting.
          if (error instanceof PlatformApiError && error.permanent) {
            unreachable.push(founderId);
            deps.logger.warn({ err: error, founderId }, 'founder notice not delivered to this founder');
            continue;
          }
          throw error;
        }
      }
      for (const founderId of deps.founderIds) progress.clear(`${delivery.id}:${founderId}`);
      if (unreachable.length === deps.founderIds.length) {
        throw new PlatformApiError(
          'no founder could be reached on Telegram (each founder must open a private chat with the bot and press Start)',
          { permanent: true },
        );
      }
      return { platformMessageIds: ids };
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Founder messages

export interface FounderDeps {
  core: CoreApi;
  kb: KnowledgeBase;
  logger: Logger;
  token: string;
  /** Telegram is the founder console (Slack is not configured). */
  console: boolean;
}

const TAG_EXAMPLE = '#c…';

function founderHelp(consoleHere: boolean): string {
  const [heading, ...lines] = kbHelpLines(HTML_MARKUP);
  const kb = [`<b>Solodesk — ${heading}</b>`, ...lines].join('\n');
  return consoleHere ? `${kb}\n\n${escalationsHereHelp(HTML_MARKUP, TAG_EXAMPLE)}` : kb;
}

async function answer(ctx: Context, deps: FounderDeps, chunks: TelegramChunk[], replyTo?: number): Promise<void> {
  for (const [i, chunk] of chunks.entries()) {
    try {
      await ctx.reply(chunk.text, {
        ...(chunk.parseMode ? { parse_mode: chunk.parseMode } : {}),
        ...(i === 0 && replyTo !== undefined ? { reply_parameters: { message_id: replyTo, allow_sending_without_reply: true } } : {}),
      });
    } catch (error) {
      deps.logger.warn({ err: safeError(error, deps.token) }, 'could not answer the founder on Telegram');
      return;
    }
  }
}

function html(text: string): TelegramChunk[] {
  return packHtmlParagraphs([text]);
}

/** Handles a message from an allowlisted founder in a private chat. Never a customer message. */
export async function handleFounderMessage(ctx: Context, message: Message, deps: FounderDeps): Promise<void> {
  const bot = ctx.me;
  const command = leadingCommand(message, bot);
  if (command !== null) {
    if (command.command === 'kb') return answer(ctx, deps, await kbCommand(deps.kb, command.args, deps.core.founder), message.message_id);
    if (command.command === 'customer') return answer(ctx, deps, await customerCommand(deps.core.founder, command.args), message.message_id);
    if (command.command === 'stats') {
      const days = /^\s*(\d{1,3})\s*d?\s*$/i.exec(command.args);
      return answer(ctx, deps, packHtmlParagraphs(digestParagraphs(await deps.core.stats({ days: days ? Math.max(1, Number(days[1])) : 7 }))), message.message_id);
    }
    return answer(ctx, deps, html(founderHelp(deps.console)));
  }
  const replied = message.reply_to_message;
  const repliedText = replied?.from?.id === bot.id ? (replied.text ?? replied.caption ?? '') : null;
  if (repliedText?.startsWith(CHANNEL_EVENT_MARK)) {
    return answer(ctx, deps, html(escapeHtml(NOTICE_WORDS.channelEventReply)), message.message_id);
  }
  const conversationId = repliedText === null ? null : conversationFromTag(repliedText);
  if (conversationId === null) {
    const hint = deps.console ? notInConversationHint(HTML_MARKUP, TAG_EXAMPLE) : conversationsElsewhereHint(HTML_MARKUP, 'Slack');
    return answer(ctx, deps, html(hint), message.message_id);
  }
  return answer(ctx, deps, html(await founderReply(conversationId, message, deps)), message.message_id);
}

async function founderReply(conversationId: string, message: Message, deps: FounderDeps): Promise<string> {
  // Files go to the core, which tells the founder console they were not relayed (never dropped silently).
  const attachments = attachmentsOf(message).map((a) => (a.name === undefined ? { kind: a.kind } : { kind: a.kind, name: a.name }));
  try {
    const outcome = await handleFounderMessageInCore(deps.core.founder, {
      conversationId,
      text: message.text ?? message.caption ?? '',
      founder: `telegram:${message.from?.id ?? message.chat.id}`,
      platformMessageId: `founder:${message.chat.id}:${message.message_id}`,
      ...(attachments.length > 0 ? { attachments } : {}),
    });
    if (outcome.kind === 'failed') deps.logger.warn({ conversationId, reason: outcome.reason }, 'founder action from Telegram refused');
    return outcomeHtml(outcome, conversationTag(conversationId));
  } catch (error) {
    deps.logger.error({ err: safeError(error, deps.token), conversationId }, 'founder action from Telegram failed');
    return outcomeHtml({ kind: 'failed', reason: error instanceof Error ? error.message : 'unknown error' }, conversationTag(conversationId));
  }
}

/** The founder's confirmation, answering their message. */
function outcomeHtml(outcome: FounderOutcome, tag: string): string {
  switch (outcome.kind) {
    case 'note_kept':
      return `📝 Note kept internal — not sent to the customer. ${tag}`;
    case 'nothing_to_send':
      return 'Nothing sent: only text can be relayed to the customer.';
    case 'files_not_relayed':
      return `📎 Nothing sent: files cannot be relayed to the customer yet. ${tag}`;
    case 'already_sent':
      return `Already handled ${tag}`;
    case 'unknown_command':
      return unknownCommandText(HTML_MARKUP, outcome.command);
    case 'resolved':
      return `✅ Resolved ${tag}`;
    case 'reopened':
      return `🔓 Reopened ${tag}`;
    case 'saved': {
      const what = outcome.created ? (outcome.published ? 'Published a new article' : 'Saved a draft article') : 'Added the question to article';
      return `📚 ${what} <code>${escapeHtml(outcome.slug)}</code>`;
    }
    case 'sent':
      return `✅ Sent to the customer ${tag}`;
    case 'draft_sent':
      return `✅ Sent the draft to the customer ${tag}`;
    case 'sent_without_files':
      return `✅ Sent the text to the customer; the files were not relayed. ${tag}`;
    case 'customer_changed':
      return `👤 ${escapeHtml(customerChangeText(outcome.change))}`;
    case 'failed':
      return `❌ Not done: ${escapeHtml(outcome.reason)}`;
  }
}

// ---------------------------------------------------------------------------------------------
// /kb

export async function kbCommand(kb: KnowledgeBase, args: string, founder?: Pick<FounderActions, 'kbGaps'>): Promise<TelegramChunk[]> {
  const [sub = '', ...rest] = args.split(/\s+/);
  const result = await runKbCommand(kb, sub, rest.join(' '), founder);
  switch (result.kind) {
    case 'usage':
      return html(`${KB_WORDS.usage} <code>${escapeHtml(result.usage)}</code>`);
    case 'search': {
      const head = `🔎 <b>${escapeHtml(result.query)}</b>\n${KB_WORDS.decision}: <b>${result.decision}</b> · ${KB_WORDS.confidence} ${result.confidence}`;
      if (result.rows.length === 0) return html(`${head}\n${KB_WORDS.noMatch}`);
      const rows = result.rows.map((r) =>
        `${r.rank}. ${escapeHtml(r.title)} <code>${escapeHtml(r.slug)}</code> — ${r.percent} (score ${r.score})${r.mark !== null ? ` ${r.mark}` : ''}`);
      return packHtmlParagraphs([head, ...rows], TELEGRAM_TEXT_LIMIT, '\n');
    }
    case 'not_found':
      return html(`${KB_WORDS.noArticle} <code>${escapeHtml(result.slug)}</code>. ${escapeHtml(KB_WORDS.tryList)}`);
    case 'show':
      return articleChunks(result.article);
    case 'list': {
      if (result.articles.length === 0) {
        return html(result.tag !== null ? `${KB_WORDS.taggedNone} <code>${escapeHtml(result.tag)}</code>.` : KB_WORDS.empty);
      }
      const rows = result.articles.map((a) => `• <code>${escapeHtml(a.slug)}</code> — ${escapeHtml(a.title)}${a.status === 'published' ? '' : ` (${a.status})`}`);
      const count = articleCount(result.articles.length + result.more);
      const head = `📚 ${count}${result.tag !== null ? ` ${KB_WORDS.tagged} <code>${escapeHtml(result.tag)}</code>` : ''}`;
      return packHtmlParagraphs([head, ...rows, ...(result.more > 0 ? [`… +${result.more}`] : [])], TELEGRAM_TEXT_LIMIT, '\n');
    }
    case 'gaps':
      return packHtmlParagraphs(gapsLines(HTML_MARKUP, result.days, result.groups), TELEGRAM_TEXT_LIMIT, '\n');
    case 'help':
      return html(founderHelp(false));
  }
}

function articleChunks(article: ArticleView): TelegramChunk[] {
  const head = [
    `📄 <b>${escapeHtml(article.title)}</b>`,
    `<code>${escapeHtml(article.slug)}</code> · ${article.status} · v${article.version} · ${escapeHtml(article.language)}` +
      (article.tags.length > 0 ? ` · ${article.tags.map((t) => `#${escapeHtml(t)}`).join(' ')}` : ''),
    article.questions.length > 0
      ? `${KB_WORDS.questions}: ${article.questions.map((q) => `“${escapeHtml(q)}”`).join(', ')}`
      : `<i>${KB_WORDS.noQuestions}</i>`,
  ].join('\n');
  const body = formatForTelegram(article.body, 'markdown');
  const first = body[0];
  if (first !== undefined && head.length + 2 + first.text.length <= TELEGRAM_TEXT_LIMIT) {
    return [{ ...first, text: `${head}\n\n${first.text}`, plain: `${htmlToPlain(head)}\n\n${first.plain}` }, ...body.slice(1)];
  }
  return [...html(head), ...body];
}

/** Founder ids as a set of strings, for `from.id` lookups. */
export function founderSet(ids: readonly string[]): Set<string> {
  return new Set(ids.map((id) => id.trim()).filter(Boolean));
}

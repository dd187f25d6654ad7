import type { Context } from 'grammy';
import type { Message } from 'grammy/types';
import { PlatformApiError } from '../../errors.ts';
import { classifyFounderText } from '../../core/founder-text.ts';
import { FOUNDER_CHANNEL, type CoreApi, type Delivery, type FounderNotice, type SendResult, type Sender } from '../../core/ports.ts';
import type { KnowledgeBase } from '../../kb/knowledge-base.ts';
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
//   replying to such a message answers the customer (or resolves, reopens, saves as article).
// Private notes are recognised by the core's classifyFounderText and never sent.

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
// Notices → messages

const REASONS: Record<string, string> = {
  human_requested: 'the customer asked for a human',
  kb_unsure: 'the KB is not sure',
  customer_rejected_answer: 'the customer said the answer did not help (👎)',
  no_suggestion_fit: 'none of the suggested articles fit',
  flood: 'many messages in a short time',
};

const HOW_TO_REPLY =
  '↩️ <i>Reply to this message to answer the customer.</i> <code>note: …</code> stays internal; ' +
  '<code>!resolve</code>, <code>!reopen</code>, <code>!save [title]</code> (draft), <code>!save! title</code> (publish).';

function attachmentsLine(attachments: Array<{ kind: string; name?: string }>): string | null {
  if (attachments.length === 0) return null;
  return `📎 ${attachments.map((a) => escapeHtml(a.name ? `${a.kind} ${a.name}` : a.kind)).join(', ')}`;
}

function percent(confidence: number): string {
  return `${Math.round(confidence * 100)}%`;
}

/** The paragraphs (HTML) of one notice; the first one carries the tag. */
export function renderNotice(notice: FounderNotice): string[] {
  const tag = conversationTag(notice.conversationId);
  switch (notice.type) {
    case 'escalation': {
      const c = notice.customer;
      const who = [
        `👤 <b>${escapeHtml(c.displayName ?? 'Unknown customer')}</b>`,
        c.username ? `@${escapeHtml(c.username)}` : null,
        `${escapeHtml(c.channel)} ${escapeHtml(c.externalUserId)}`,
        c.earlierConversations > 0 ? `${c.earlierConversations} earlier conversation${c.earlierConversations === 1 ? '' : 's'}` : 'first conversation',
        c.lastRating !== null ? `last rating ${c.lastRating}` : null,
      ].filter((p): p is string => p !== null).join(' · ');
      const paragraphs = [
        `🆘 <b>Escalation</b> ${tag}\nWhy: ${escapeHtml(REASONS[notice.reason] ?? notice.reason)}\n${who}`,
        `<b>Question</b>\n<blockquote>${escapeHtml(notice.question || '(no text)')}</blockquote>`,
      ];
      const files = attachmentsLine(notice.attachments);
      if (files) paragraphs.push(files);
      const earlier = notice.history.slice(-7, -1);
      if (earlier.length > 0) {
        paragraphs.push(`<b>Earlier in this conversation</b>\n${earlier.map((h) => `<i>${escapeHtml(h.author)}:</i> ${escapeHtml(h.text)}`).join('\n')}`);
      }
      if (notice.candidates.length > 0) {
        paragraphs.push(`<b>KB candidates</b>\n${notice.candidates
          .map((k, i) => `${i + 1}. ${escapeHtml(k.title)} <code>${escapeHtml(k.slug)}</code> — ${percent(k.confidence)}`)
          .join('\n')}`);
      } else {
        paragraphs.push('<b>KB candidates</b>: none');
      }
      if (notice.draft) paragraphs.push(`<b>Draft answer</b>\n<blockquote>${escapeHtml(notice.draft)}</blockquote>`);
      if (notice.customerNotice) paragraphs.push(`ℹ️ The customer was told: ${escapeHtml(notice.customerNotice)}`);
      paragraphs.push(HOW_TO_REPLY);
      return paragraphs;
    }
    case 'customer_followup': {
      const paragraphs = [`💬 <b>Customer</b> ${tag}\n${escapeHtml(notice.text || '(no text)')}`];
      const files = attachmentsLine(notice.attachments);
      if (files) paragraphs.push(files);
      return paragraphs;
    }
    case 'status':
      return [`🔔 ${tag} is now <b>${escapeHtml(notice.status)}</b> (by ${escapeHtml(notice.by)})`];
    case 'delivery_report':
      return notice.delivered
        ? [`✅ ${tag} message delivered to the customer`]
        : [`⚠️ ${tag} message <b>not delivered</b> to the customer${notice.error ? `: ${escapeHtml(notice.error)}` : ''}`];
    case 'attachments_not_relayed':
      return [
        `📎 ${tag} <b>Files not sent</b> to the customer: ${escapeHtml(notice.names.join(', ') || 'your files')}\n` +
          'Files are not relayed to customers yet; send the content as text or a link.',
      ];
  }
}

/** Notice → messages of at most 4,096 characters, each one tagged so that any of them can be replied to. */
export function noticeChunks(notice: FounderNotice): TelegramChunk[] {
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

export const FOUNDER_HELP = [
  '<b>Solodesk — founder commands</b>',
  '<code>/kb search &lt;text&gt;</code> — ranked articles, confidence and the decision',
  '<code>/kb show &lt;slug&gt;</code> — one article',
  '<code>/kb list [tag]</code> — all articles',
].join('\n');

const CONSOLE_HELP =
  'Escalations arrive here tagged <code>#c…</code>. Reply to one to answer the customer; ' +
  '<code>note: …</code> stays internal; <code>!resolve</code>, <code>!reopen</code>, <code>!save [title]</code>, <code>!save! title</code>.';

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
    if (command.command === 'kb') return answer(ctx, deps, await kbCommand(deps.kb, command.args), message.message_id);
    return answer(ctx, deps, html(deps.console ? `${FOUNDER_HELP}\n\n${CONSOLE_HELP}` : FOUNDER_HELP));
  }
  const replied = message.reply_to_message;
  const conversationId = replied?.from?.id === bot.id ? conversationFromTag(replied.text ?? replied.caption ?? '') : null;
  if (conversationId === null) {
    const hint = deps.console
      ? 'To answer a customer, reply to their escalation (a message tagged <code>#c…</code>). /help lists the commands.'
      : 'Founder commands: /kb search, /kb show, /kb list. Conversations are handled in Slack.';
    return answer(ctx, deps, html(hint), message.message_id);
  }
  return answer(ctx, deps, html(await founderReply(conversationId, message, deps)), message.message_id);
}

async function founderReply(conversationId: string, message: Message, deps: FounderDeps): Promise<string> {
  const founder = `telegram:${message.from?.id ?? message.chat.id}`;
  const tag = conversationTag(conversationId);
  const text = classifyFounderText(message.text ?? message.caption ?? '');
  // Files go to the core, which tells the founder console they were not relayed (never dropped silently).
  const attachments = attachmentsOf(message).map((a) => (a.name === undefined ? { kind: a.kind } : { kind: a.kind, name: a.name }));
  const platformMessageId = `founder:${message.chat.id}:${message.message_id}`;
  try {
    switch (text.kind) {
      case 'note':
        return `📝 Note kept internal — not sent to the customer. ${tag}`;
      case 'empty': {
        if (attachments.length === 0) return 'Nothing sent: only text can be relayed to the customer.';
        const result = await deps.core.founder.reply({ conversationId, text: '', founder, platformMessageId, attachments });
        return result.duplicate ? `Already handled ${tag}` : `📎 Nothing sent: files cannot be relayed to the customer yet. ${tag}`;
      }
      case 'unknown_command':
        return `Unknown command <code>!${escapeHtml(text.command)}</code>. Use <code>!resolve</code>, <code>!reopen</code>, <code>!save [title]</code> or <code>!save! title</code>.`;
      case 'command':
        if (text.command === 'resolve') {
          await deps.core.founder.resolve({ conversationId, founder });
          return `✅ Resolved ${tag}`;
        }
        if (text.command === 'reopen') {
          await deps.core.founder.reopen({ conversationId, founder });
          return `🔓 Reopened ${tag}`;
        }
        {
          const saved = await deps.core.founder.saveAsArticle({
            conversationId,
            founder,
            ...(text.argument ? { title: text.argument } : {}),
            publish: text.publish,
          });
          const what = saved.created ? (text.publish ? 'Published a new article' : 'Saved a draft article') : 'Added the question to article';
          return `📚 ${what} <code>${escapeHtml(saved.slug)}</code>`;
        }
      case 'reply': {
        const result = await deps.core.founder.reply({
          conversationId,
          text: text.text,
          founder,
          platformMessageId,
          ...(attachments.length > 0 ? { attachments } : {}),
        });
        if (result.duplicate) return `Already sent ${tag}`;
        return attachments.length > 0 ? `✅ Sent the text to the customer; the files were not relayed. ${tag}` : `✅ Sent to the customer ${tag}`;
      }
    }
  } catch (error) {
    deps.logger.error({ err: safeError(error, deps.token), conversationId }, 'founder action from Telegram failed');
    const reason = error instanceof Error ? error.message : 'unknown error';
    return `❌ Not done: ${escapeHtml(reason)}`;
  }
}

// ---------------------------------------------------------------------------------------------
// /kb

export async function kbCommand(kb: KnowledgeBase, args: string): Promise<TelegramChunk[]> {
  const [sub = '', ...rest] = args.split(/\s+/);
  const argument = rest.join(' ').trim();
  switch (sub.toLowerCase()) {
    case 'search': {
      if (argument === '') return html('Usage: <code>/kb search &lt;text&gt;</code>');
      const { decision, ranked } = await kb.decide(argument);
      const head = `🔎 <b>${escapeHtml(argument)}</b>\nDecision: <b>${decision.outcome}</b> · confidence ${percent(decision.confidence)}`;
      if (ranked.length === 0) return html(`${head}\nNo matching article.`);
      const rows = ranked.map((r, i) => {
        const mark = r.article.id === decision.articleId ? ' ← answer' : decision.suggestions.includes(r.article.id) ? ' ← suggested' : '';
        return `${i + 1}. ${escapeHtml(r.article.title)} <code>${escapeHtml(r.article.slug)}</code> — ${percent(r.confidence)} (score ${r.score.toFixed(2)})${mark}`;
      });
      return packHtmlParagraphs([head, ...rows], TELEGRAM_TEXT_LIMIT, '\n');
    }
    case 'show': {
      if (argument === '') return html('Usage: <code>/kb show &lt;slug&gt;</code>');
      const article = await kb.getBySlug(argument);
      if (article === null) return html(`No article <code>${escapeHtml(argument)}</code>.`);
      const head = [
        `📄 <b>${escapeHtml(article.title)}</b>`,
        `<code>${escapeHtml(article.slug)}</code> · ${article.status} · v${article.version} · ${escapeHtml(article.language)}` +
          (article.tags.length > 0 ? ` · ${article.tags.map((t) => `#${escapeHtml(t)}`).join(' ')}` : ''),
        ...(article.questions.length > 0 ? [`Questions: ${article.questions.map((q) => `“${escapeHtml(q)}”`).join(', ')}`] : []),
      ].join('\n');
      const body = formatForTelegram(article.body, 'markdown');
      const first = body[0];
      if (first !== undefined && head.length + 2 + first.text.length <= TELEGRAM_TEXT_LIMIT) {
        return [{ ...first, text: `${head}\n\n${first.text}`, plain: `${htmlToPlain(head)}\n\n${first.plain}` }, ...body.slice(1)];
      }
      return [...html(head), ...body];
    }
    case 'list': {
      const articles = await kb.list(argument ? { tag: argument } : undefined);
      if (articles.length === 0) return html(argument ? `No article tagged <code>${escapeHtml(argument)}</code>.` : 'The KB is empty.');
      const rows = articles.map((a) => `• <code>${escapeHtml(a.slug)}</code> — ${escapeHtml(a.title)}${a.status === 'published' ? '' : ` (${a.status})`}`);
      return packHtmlParagraphs([`📚 ${articles.length} article${articles.length === 1 ? '' : 's'}${argument ? ` tagged ${escapeHtml(argument)}` : ''}`, ...rows], TELEGRAM_TEXT_LIMIT, '\n');
    }
    default:
      return html(FOUNDER_HELP);
  }
}

/** Founder ids as a set of strings, for `from.id` lookups. */
export function founderSet(ids: readonly string[]): Set<string> {
  return new Set(ids.map((id) => id.trim()).filter(Boolean));
}

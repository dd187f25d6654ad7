import type { types } from '@slack/bolt';
import type { FounderNotice } from '../../core/ports.ts';
import type { OutboundMessage, ReplyButton } from '../../core/messages.ts';
import { escapeMrkdwn, markdownToMrkdwn } from './send.ts';

// Block Kit builders: pure functions from notices to the JSON Slack renders. Unit-tested; the
// example in the closing note of issue 5 is `escalationRootMessage` of the test's notice.

type Block = types.KnownBlock;
export type EscalationNotice = Extract<FounderNotice, { type: 'escalation' }>;

export const ACTION = {
  sendDraft: 'founder_send_draft',
  resolve: 'founder_resolve',
  saveArticle: 'founder_save_article',
  /** Customer buttons: `customer_action:<n>`, the opaque action string in `value`. */
  customerPrefix: 'customer_action:',
} as const;

export const BLOCK = {
  status: 'status',
  question: 'question',
  draft: 'draft',
  actions: 'founder_actions',
} as const;

export const METADATA_EVENT = 'solodesk_conversation';

const SECTION_MAX = 3000;
const CHANNEL_NAMES: Record<string, string> = { telegram: 'Telegram', wechat: 'WeChat', slack: 'Slack', console: 'Console', web: 'Web' };
const REASONS: Record<EscalationNotice['reason'], string> = {
  human_requested: 'asked for a person',
  kb_unsure: 'the KB is not sure',
  customer_rejected_answer: 'the KB answer did not help',
  no_suggestion_fit: 'no suggestion fit',
  flood: 'many messages in a row',
};

export function channelName(channel: string): string {
  return CHANNEL_NAMES[channel] ?? channel;
}

export function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

/** `> ` before every line: the customer's words, quoted and escaped. */
function quote(text: string, max = 2500): string {
  return truncate(escapeMrkdwn(text), max).split('\n').map((l) => `&gt; ${l}`).join('\n');
}

const plain = (text: string): types.PlainTextElement => ({ type: 'plain_text', text, emoji: true });
const mrkdwn = (text: string): types.MrkdwnElement => ({ type: 'mrkdwn', text });

/** The status line of a root message: waiting / answered / resolved, and who changed it. */
export function statusLine(status: string, by?: string): string {
  const who = by !== undefined && by !== '' && by !== 'system' ? ` by ${by.startsWith('slack:') ? `<@${by.slice(6)}>` : escapeMrkdwn(by)}` : '';
  switch (status) {
    case 'escalated':
    case 'open':
    case 'waiting':
      return `*Status:* :hourglass_flowing_sand: waiting for you${status === 'open' && who !== '' ? ` (reopened${who})` : ''}`;
    case 'waiting_customer':
    case 'answered':
      return `*Status:* :speech_balloon: answered${who}, waiting for the customer`;
    case 'resolved':
      return `*Status:* :white_check_mark: resolved${who}`;
    default:
      return `*Status:* ${escapeMrkdwn(status)}${who}`;
  }
}

function customerLine(n: EscalationNotice): string {
  const c = n.customer;
  const parts = [`${channelName(c.channel)}${c.username ? ` @${escapeMrkdwn(c.username)}` : ''} (${escapeMrkdwn(c.externalUserId)})`];
  parts.push(c.earlierConversations === 0 ? 'first conversation' : `${c.earlierConversations} earlier conversation${c.earlierConversations === 1 ? '' : 's'}`);
  parts.push(c.lastRating === null ? 'no rating yet' : `last rating ${c.lastRating}/5`);
  parts.push(`escalated: ${REASONS[n.reason] ?? n.reason}`);
  return parts.join(' · ');
}

function historyText(n: EscalationNotice): string | undefined {
  // The question itself is shown above: leave its (last) occurrence out.
  let questionAt = -1;
  n.history.forEach((h, i) => {
    if (h.author === 'customer' && h.text === n.question) questionAt = i;
  });
  const earlier = n.history.filter((_h, i) => i !== questionAt);
  if (earlier.length === 0) return undefined;
  const lines = earlier.slice(-5).map((h) => `• _${escapeMrkdwn(h.author)}_: ${truncate(escapeMrkdwn(h.text.replace(/\s+/g, ' ')), 200)}`);
  return `*Earlier in this conversation*\n${lines.join('\n')}`;
}

function candidatesText(n: EscalationNotice): string {
  if (n.candidates.length === 0) return '*KB candidates*\n_No article matched._';
  const lines = n.candidates.slice(0, 5).map((c) => `• \`${c.slug}\` ${escapeMrkdwn(c.title)} — ${Math.round(c.confidence * 100)}%`);
  return `*KB candidates*\n${lines.join('\n')}`;
}

/** The draft as plain-text sections (block ids `draft`, `draft_2`, …) so the button can send it verbatim. */
function draftBlocks(draft: string): Block[] {
  const blocks: Block[] = [{ type: 'section', text: mrkdwn('*Draft answer* (sent only when you press Send draft)') }];
  for (let i = 0, n = 1; i < draft.length && n <= 5; i += SECTION_MAX, n += 1) {
    blocks.push({ type: 'section', block_id: n === 1 ? BLOCK.draft : `${BLOCK.draft}_${n}`, text: plain(draft.slice(i, i + SECTION_MAX)) });
  }
  return blocks;
}

/** Reads back the draft `draftBlocks` wrote, from a message's blocks (a block_actions payload). */
export function draftFromBlocks(blocks: unknown): string | undefined {
  if (!Array.isArray(blocks)) return undefined;
  const parts = blocks
    .filter((b): b is { block_id: string; text: { text: string } } =>
      typeof b?.block_id === 'string' && (b.block_id === BLOCK.draft || b.block_id.startsWith(`${BLOCK.draft}_`)) && typeof b.text?.text === 'string')
    .map((b) => b.text.text);
  return parts.length === 0 ? undefined : parts.join('');
}

function founderButtons(conversationId: string, withDraft: boolean): Block {
  const elements: types.Button[] = [];
  if (withDraft) elements.push({ type: 'button', action_id: ACTION.sendDraft, text: plain('Send draft'), style: 'primary', value: conversationId });
  elements.push({ type: 'button', action_id: ACTION.resolve, text: plain('Resolve'), value: conversationId });
  elements.push({ type: 'button', action_id: ACTION.saveArticle, text: plain('Save as article'), value: conversationId });
  return { type: 'actions', block_id: BLOCK.actions, elements };
}

export interface SlackMessage {
  text: string;
  blocks: Block[];
  metadata?: { event_type: string; event_payload: Record<string, string> };
}

/** The one root message of a conversation's thread in the founder channel. */
export function escalationRootMessage(n: EscalationNotice, status = 'escalated'): SlackMessage {
  const name = n.customer.displayName ?? n.customer.username ?? n.customer.externalUserId;
  const blocks: Block[] = [
    { type: 'header', text: plain(truncate(`${name} · ${channelName(n.customer.channel)}`, 150)) },
    { type: 'context', block_id: BLOCK.status, elements: [mrkdwn(statusLine(status))] },
    { type: 'section', block_id: BLOCK.question, text: mrkdwn(quote(n.question || '(no text)')) },
    { type: 'context', elements: [mrkdwn(customerLine(n))] },
  ];
  if (n.attachments.length > 0) {
    blocks.push({ type: 'context', elements: [mrkdwn(`:paperclip: ${n.attachments.map((a) => escapeMrkdwn(a.name ?? a.kind)).join(', ')}`)] });
  }
  const history = historyText(n);
  if (history !== undefined) blocks.push({ type: 'section', text: mrkdwn(truncate(history, SECTION_MAX)) });
  blocks.push({ type: 'section', text: mrkdwn(candidatesText(n)) });
  if (n.draft !== undefined && n.draft.trim() !== '') blocks.push(...draftBlocks(n.draft));
  if (n.customerNotice !== undefined) {
    blocks.push({ type: 'context', elements: [mrkdwn(`Told the customer: _${escapeMrkdwn(truncate(n.customerNotice, 300))}_`)] });
  }
  blocks.push(founderButtons(n.conversationId, n.draft !== undefined && n.draft.trim() !== ''));
  blocks.push({ type: 'context', elements: [mrkdwn('Reply in this thread to answer. `note:` or `;;` at the start keeps a message internal. `!resolve` · `!reopen` · `!save [title]` · `!save! title` publishes.')] });
  return {
    text: escapeMrkdwn(truncate(`${name} (${channelName(n.customer.channel)}): ${n.question}`, 300)),
    blocks,
    metadata: { event_type: METADATA_EVENT, event_payload: { conversation_id: n.conversationId, question: truncate(n.question, 1000) } },
  };
}

/** A later escalation of a conversation that already has a thread: posted in that thread. */
export function escalationThreadMessage(n: EscalationNotice): SlackMessage {
  const blocks: Block[] = [
    { type: 'section', text: mrkdwn(`:sos: *Needs you again* (${REASONS[n.reason] ?? n.reason})\n${quote(n.question || '(no text)')}`) },
    { type: 'section', text: mrkdwn(candidatesText(n)) },
  ];
  const withDraft = n.draft !== undefined && n.draft.trim() !== '';
  if (withDraft) {
    blocks.push(...draftBlocks(n.draft!));
    blocks.push({ type: 'actions', elements: [{ type: 'button', action_id: ACTION.sendDraft, text: plain('Send draft'), style: 'primary', value: n.conversationId }] });
  }
  return { text: escapeMrkdwn(truncate(`Needs you again: ${n.question}`, 300)), blocks };
}

/** Replaces the status line of a root message's blocks (the rest is kept as it was). */
export function withStatus(blocks: readonly unknown[], status: string, by?: string): unknown[] {
  const line: Block = { type: 'context', block_id: BLOCK.status, elements: [mrkdwn(statusLine(status, by))] };
  const found = blocks.some((b) => (b as { block_id?: unknown }).block_id === BLOCK.status);
  if (!found) return [line, ...blocks];
  return blocks.map((b) => ((b as { block_id?: unknown }).block_id === BLOCK.status ? line : b));
}

/** A customer's follow-up message, in the thread. */
export function customerMessageText(n: Extract<FounderNotice, { type: 'customer_followup' }>): string {
  const files = n.attachments.length > 0 ? `\n:paperclip: ${n.attachments.map((a) => escapeMrkdwn(a.name ?? a.kind)).join(', ')}` : '';
  return `:speech_balloon: *Customer:*\n${quote(n.text || '(no text)', 3500)}${files}`;
}

export function deliveryReportText(n: Extract<FounderNotice, { type: 'delivery_report' }>): string {
  return n.delivered ? '✓ delivered' : `✗ not delivered: ${escapeMrkdwn(truncate(n.error ?? 'unknown reason', 500))}`;
}

/**
 * Files the founder attached did not reach the customer: say which, and what does reach them.
 * Names are the founder's own files, shown literally.
 */
export function attachmentsNotRelayedText(n: Extract<FounderNotice, { type: 'attachments_not_relayed' }>): string {
  const names = n.names.map((name) => `“${escapeMrkdwn(truncate(name, 200))}”`);
  const what = names.length === 0 ? 'Your file was' : names.length === 1 ? `${names[0]} was` : `${names.length} files were`;
  const list = names.length > 1 ? `\n${names.map((name) => `• ${name}`).join('\n')}` : '';
  return `:warning: ${what} not sent to the customer: only text is relayed from this thread, files stay in Slack. `
    + `To share one, reply with a link the customer can open.${list}`;
}

/** A message to a Slack customer as mrkdwn-safe text (KB markdown converted). */
export function customerText(message: OutboundMessage): string {
  return message.format === 'markdown' ? markdownToMrkdwn(message.text) : escapeMrkdwn(message.text);
}

/** The last part of a customer message with its buttons as Block Kit buttons (`section` ≤ 3000 chars). */
export function customerButtonMessage(text: string, buttons: readonly ReplyButton[]): SlackMessage {
  const blocks: Block[] = text.trim() === '' ? [] : [{ type: 'section', text: mrkdwn(truncate(text, SECTION_MAX)) }];
  // At most 25 elements per actions block.
  for (let start = 0; start < buttons.length; start += 25) {
    blocks.push({
      type: 'actions',
      elements: buttons.slice(start, start + 25).map((b, i) => ({
        type: 'button',
        action_id: `${ACTION.customerPrefix}${start + i}`,
        text: plain(truncate(b.label, 75)),
        value: b.action,
      })),
    });
  }
  return { text: text.trim() === '' ? buttons.map((b) => b.label).join(' · ') : text, blocks };
}

import type { types } from '@slack/bolt';
import type { FounderNotice } from '../../core/ports.ts';
import type { OutboundMessage, ReplyButton } from '../../core/messages.ts';
import { howToAnswer, type HelpMarkup } from '../../core/founder/help.ts';
import {
  autoAnswerView, channelEventView, channelName, deliveryView, escalationView, filesNotRelayedView, followupView, NOTICE_WORDS, statusSentence, statusView, truncate,
  type EscalationView, type StatusView,
} from '../../core/founder/notice-view.ts';
import { escapeMrkdwn, markdownToMrkdwn } from './send.ts';

// Block Kit builders: pure functions from notices to the JSON Slack renders. What a notice says is
// the core's notice view (core/founder/notice-view.ts); this is only its Block Kit. Unit-tested.

type Block = types.KnownBlock;
export type EscalationNotice = Extract<FounderNotice, { type: 'escalation' }>;

export const ACTION = {
  sendDraft: 'founder_send_draft',
  editDraft: 'founder_edit_draft',
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

export { channelName, truncate };

/** Help and hints from the core, in mrkdwn. */
export const MRKDWN_MARKUP: HelpMarkup = { code: (t) => `\`${t}\``, text: escapeMrkdwn };

/** `> ` before every line: the customer's words, quoted and escaped. */
function quote(text: string, max = 2500): string {
  return truncate(escapeMrkdwn(text), max).split('\n').map((l) => `&gt; ${l}`).join('\n');
}

const plain = (text: string): types.PlainTextElement => ({ type: 'plain_text', text, emoji: true });
const mrkdwn = (text: string): types.MrkdwnElement => ({ type: 'mrkdwn', text });
const who = (ref: string): string => (ref.startsWith('slack:') ? `<@${ref.slice(6)}>` : escapeMrkdwn(ref));
const STATUS_ICONS: Record<StatusView['phase'], string> = {
  waiting: ':hourglass_flowing_sand: ',
  answered: ':speech_balloon: ',
  resolved: ':white_check_mark: ',
  other: '',
};

/** The status line of a root message: waiting / answered / resolved, and who changed it. */
export function statusLine(status: string, by?: string): string {
  const view = statusView({ type: 'status', conversationId: '', status, by: by ?? '' });
  return `*Status:* ${STATUS_ICONS[view.phase]}${statusSentence(view, { text: escapeMrkdwn, who })}`;
}

function customerLine(v: EscalationView): string {
  const c = v.customer;
  const parts = [`${escapeMrkdwn(c.channelName)}${c.username ? ` @${escapeMrkdwn(c.username)}` : ''} (${escapeMrkdwn(c.externalId)})`];
  parts.push(escapeMrkdwn(c.conversations), escapeMrkdwn(c.rating), `${NOTICE_WORDS.why}: ${escapeMrkdwn(v.reasonText)}`);
  if (c.otherIdentities.length > 0) parts.push(`${NOTICE_WORDS.alsoOn}: ${c.otherIdentities.map(escapeMrkdwn).join(', ')}`);
  if (c.tags.length > 0) parts.push(`${NOTICE_WORDS.tags}: ${c.tags.map(escapeMrkdwn).join(', ')}`);
  return truncate(parts.join(' · '), SECTION_MAX);
}

/** The founder's private notes on the customer (`!note`), when there are any. */
function customerNotesText(v: EscalationView): string | undefined {
  if (v.customer.notes.length === 0) return undefined;
  return truncate(`:memo: *${NOTICE_WORDS.notes}*\n${v.customer.notes.map(escapeMrkdwn).join('\n')}`, SECTION_MAX);
}

function historyText(v: EscalationView): string | undefined {
  if (v.earlier.length === 0) return undefined;
  const lines = v.earlier.map((h) => `• _${escapeMrkdwn(h.author)}_: ${escapeMrkdwn(h.text)}`);
  return `*${NOTICE_WORDS.earlier}*\n${lines.join('\n')}`;
}

function candidatesText(v: EscalationView): string {
  if (v.candidates.length === 0) return `*${NOTICE_WORDS.candidates}*\n_${NOTICE_WORDS.noCandidates}_`;
  const lines = v.candidates.map((c) => `• \`${c.slug}\` ${escapeMrkdwn(c.title)} — ${c.percent}`);
  return `*${NOTICE_WORDS.candidates}*\n${lines.join('\n')}`;
}

const filesText = (files: string[]): string => `:paperclip: ${files.map(escapeMrkdwn).join(', ')}`;

/**
 * The draft as plain-text sections (block ids `draft`, `draft_2`, …: Edit draft reads them back
 * into its modal), the articles it cites and, in auto mode, why it was not sent by itself.
 */
function draftBlocks(v: EscalationView & { draft: string }): Block[] {
  const blocks: Block[] = [{ type: 'section', text: mrkdwn(`*${NOTICE_WORDS.draft}* (sent only when you press Send draft)`) }];
  for (let i = 0, n = 1; i < v.draft.length && n <= 5; i += SECTION_MAX, n += 1) {
    blocks.push({ type: 'section', block_id: n === 1 ? BLOCK.draft : `${BLOCK.draft}_${n}`, text: plain(v.draft.slice(i, i + SECTION_MAX)) });
  }
  const about = [
    v.draftSources.length > 0 ? `${NOTICE_WORDS.draftSources}: ${v.draftSources.map(escapeMrkdwn).join(', ')}` : null,
    v.notSentBecause !== null ? `${NOTICE_WORDS.notSentBecause}: ${escapeMrkdwn(v.notSentBecause)}` : null,
  ].filter((line): line is string => line !== null);
  if (about.length > 0) blocks.push({ type: 'context', elements: [mrkdwn(truncate(about.join('\n'), SECTION_MAX))] });
  return blocks;
}

function draftButtons(conversationId: string): types.Button[] {
  return [
    { type: 'button', action_id: ACTION.sendDraft, text: plain('Send draft'), style: 'primary', value: conversationId },
    { type: 'button', action_id: ACTION.editDraft, text: plain('Edit draft'), value: conversationId },
  ];
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
  const elements: types.Button[] = withDraft ? draftButtons(conversationId) : [];
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
  const v = escalationView(n);
  const name = v.customer.name;
  const blocks: Block[] = [
    { type: 'header', text: plain(truncate(`${name} · ${v.customer.channelName}`, 150)) },
    { type: 'context', block_id: BLOCK.status, elements: [mrkdwn(statusLine(status))] },
    { type: 'section', block_id: BLOCK.question, text: mrkdwn(quote(v.question)) },
    { type: 'context', elements: [mrkdwn(customerLine(v))] },
  ];
  const notes = customerNotesText(v);
  if (notes !== undefined) blocks.push({ type: 'context', elements: [mrkdwn(notes)] });
  if (v.files.length > 0) blocks.push({ type: 'context', elements: [mrkdwn(filesText(v.files))] });
  const history = historyText(v);
  if (history !== undefined) blocks.push({ type: 'section', text: mrkdwn(truncate(history, SECTION_MAX)) });
  blocks.push({ type: 'section', text: mrkdwn(candidatesText(v)) });
  if (v.draft !== null) blocks.push(...draftBlocks({ ...v, draft: v.draft }));
  if (v.toldCustomer !== null) {
    blocks.push({ type: 'context', elements: [mrkdwn(`${NOTICE_WORDS.toldCustomer}: _${escapeMrkdwn(truncate(v.toldCustomer, 300))}_`)] });
  }
  blocks.push(founderButtons(n.conversationId, v.draft !== null));
  blocks.push({ type: 'context', elements: [mrkdwn(howToAnswer(MRKDWN_MARKUP, 'thread'))] });
  return {
    text: escapeMrkdwn(truncate(`${name} (${v.customer.channelName}): ${n.question}`, 300)),
    blocks,
    metadata: { event_type: METADATA_EVENT, event_payload: { conversation_id: n.conversationId, question: truncate(n.question, 1000) } },
  };
}

/** A later escalation of a conversation that already has a thread: posted in that thread. */
export function escalationThreadMessage(n: EscalationNotice): SlackMessage {
  const v = escalationView(n);
  const blocks: Block[] = [
    { type: 'section', text: mrkdwn(`:sos: *${NOTICE_WORDS.escalatedAgain}* (${escapeMrkdwn(v.reasonText)})\n${quote(v.question)}`) },
    { type: 'section', text: mrkdwn(candidatesText(v)) },
  ];
  if (v.draft !== null) {
    blocks.push(...draftBlocks({ ...v, draft: v.draft }));
    blocks.push({ type: 'actions', elements: draftButtons(n.conversationId) });
  }
  return { text: escapeMrkdwn(truncate(`${NOTICE_WORDS.escalatedAgain}: ${n.question}`, 300)), blocks };
}

/**
 * An LLM_MODE=auto answer: the root of a new thread (status answered) or a post in the existing
 * one. The founder replies in the thread to correct it, like any conversation.
 */
export function autoAnswerMessage(n: Extract<FounderNotice, { type: 'auto_answer' }>, asRoot: boolean): SlackMessage {
  const v = autoAnswerView(n);
  const blocks: Block[] = [];
  if (asRoot) {
    blocks.push({ type: 'header', text: plain(truncate(`${v.customer.name} · ${v.customer.channelName}`, 150)) });
    blocks.push({ type: 'context', block_id: BLOCK.status, elements: [mrkdwn(statusLine('answered'))] });
  }
  blocks.push(
    { type: 'section', text: mrkdwn(`:robot_face: *${NOTICE_WORDS.autoAnswer}*`) },
    { type: 'section', block_id: BLOCK.question, text: mrkdwn(quote(v.question)) },
    { type: 'section', text: mrkdwn(truncate(`*${NOTICE_WORDS.autoAnswerSent}*\n${escapeMrkdwn(v.answer)}`, SECTION_MAX)) },
    { type: 'context', elements: [mrkdwn(truncate(`${NOTICE_WORDS.sources}: ${v.sources.map(escapeMrkdwn).join(', ')}`, SECTION_MAX))] },
    { type: 'context', elements: [mrkdwn(escapeMrkdwn(NOTICE_WORDS.autoAnswerHint))] },
  );
  return {
    text: escapeMrkdwn(truncate(`${NOTICE_WORDS.autoAnswer}: ${n.question}`, 300)),
    blocks,
    ...(asRoot ? { metadata: { event_type: METADATA_EVENT, event_payload: { conversation_id: n.conversationId, question: truncate(n.question, 1000) } } } : {}),
  };
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
  const v = followupView(n);
  return `:speech_balloon: *${NOTICE_WORDS.customer}:*\n${quote(v.text, 3500)}${v.files.length > 0 ? `\n${filesText(v.files)}` : ''}`;
}

export function deliveryReportText(n: Extract<FounderNotice, { type: 'delivery_report' }>): string {
  const v = deliveryView(n);
  return v.delivered ? `✓ ${v.text}` : `✗ ${v.text}: ${escapeMrkdwn(v.error ?? '')}`;
}

/** Files the founder attached did not reach the customer: which, and what does reach them. */
export function attachmentsNotRelayedText(n: Extract<FounderNotice, { type: 'attachments_not_relayed' }>): string {
  const v = filesNotRelayedView(n);
  const list = v.names.length > 1 ? `\n${v.names.map((name) => `• “${escapeMrkdwn(name)}”`).join('\n')}` : '';
  return `:warning: ${escapeMrkdwn(v.text)}${list}`;
}

/**
 * A channel's event (a WeChat login QR code, a logout, a friend request): a root message of the
 * founder channel, since it belongs to no conversation thread. The QR code is a link (`<url|…>`);
 * its `<`, `>` and `|` are percent-encoded so the link cannot end early.
 */
export function channelEventMessage(n: Extract<FounderNotice, { type: 'channel_event' }>): SlackMessage {
  const v = channelEventView(n);
  const lines = [`:satellite_antenna: *${escapeMrkdwn(v.title)}*`];
  if (v.detail !== null) lines.push(escapeMrkdwn(v.detail));
  if (v.url !== null) lines.push(`<${slackLinkUrl(v.url)}|${escapeMrkdwn(v.linkText ?? v.url)}>`);
  return {
    text: escapeMrkdwn(truncate(v.title, 300)),
    blocks: [{ type: 'section', text: mrkdwn(truncate(lines.join('\n'), SECTION_MAX)) }],
  };
}

function slackLinkUrl(url: string): string {
  return url.replace(/&/g, '&amp;').replace(/</g, '%3C').replace(/>/g, '%3E').replace(/\|/g, '%7C');
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

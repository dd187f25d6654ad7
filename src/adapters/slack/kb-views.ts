import type { types } from '@slack/bolt';
import { articleCount, GAP_EXAMPLES_SHOWN, gapGroupLabel, GAPS_SHOWN, gapsHeadline, KB_WORDS, type KbCommandResult } from '../../core/founder/kb-commands.ts';
import { kbHelpLines } from '../../core/founder/help.ts';
import type { ArticleStatus, ArticleView, RevisionView } from '../../kb/knowledge-base.ts';
import { MRKDWN_MARKUP, truncate } from './blocks.ts';
import { parseQuestions, parseTags, viewValue } from './parse.ts';
import { escapeMrkdwn } from './send.ts';

// The KB curation surface in Slack: the article modal and the text of /kb answers. Pure.

export const KB_MODAL_CALLBACK = 'kb_article';
export const KB_SHORTCUT_CALLBACK = 'save_as_kb_article';
/** The "Write article" button of a `/kb gaps` group. */
export const KB_GAP_ACTION = 'kb_write_gap_article';
/** plain_text_input holds at most 3000 characters. */
export const MODAL_BODY_MAX = 3000;

export interface KbModalMetadata {
  mode: 'add' | 'edit';
  slug?: string;
  /** Where to confirm the save (the channel the command or shortcut came from). */
  channel?: string;
  threadTs?: string;
}

export interface KbModalPrefill {
  title?: string;
  body?: string;
  questions?: string[];
  tags?: string[];
  status?: ArticleStatus;
}

const plain = (text: string): types.PlainTextElement => ({ type: 'plain_text', text, emoji: true });
const STATUS_LABELS: Record<ArticleStatus, string> = { draft: 'Draft', published: 'Published', archived: 'Archived' };

function input(blockId: string, label: string, element: types.PlainTextInput, optional = false): types.InputBlock {
  return { type: 'input', block_id: blockId, label: plain(label), optional, element };
}

function textInput(o: { initial?: string; multiline?: boolean; max?: number; placeholder?: string }): types.PlainTextInput {
  const element: types.PlainTextInput = { type: 'plain_text_input', action_id: 'value', multiline: o.multiline ?? false };
  if (o.initial !== undefined && o.initial !== '') element.initial_value = truncate(o.initial, o.max ?? MODAL_BODY_MAX);
  if (o.max !== undefined) element.max_length = o.max;
  if (o.placeholder !== undefined) element.placeholder = plain(o.placeholder);
  return element;
}

/** The article modal: title, body, example questions (one a line), tags (comma-separated), status. */
export function kbArticleModal(meta: KbModalMetadata, prefill: KbModalPrefill = {}, heading?: string): types.ModalView {
  const statuses: ArticleStatus[] = meta.mode === 'edit' ? ['draft', 'published', 'archived'] : ['draft', 'published'];
  const option = (s: ArticleStatus): types.PlainTextOption => ({ text: plain(STATUS_LABELS[s]), value: s });
  const status = prefill.status ?? 'draft';
  return {
    type: 'modal',
    callback_id: KB_MODAL_CALLBACK,
    private_metadata: JSON.stringify(meta),
    title: plain(truncate(heading ?? (meta.mode === 'edit' ? 'Edit KB article' : 'New KB article'), 24)),
    submit: plain('Save'),
    close: plain('Cancel'),
    blocks: [
      input('title', 'Title', textInput({ initial: prefill.title, max: 200 })),
      input('body', 'Answer (Markdown)', textInput({ initial: prefill.body, multiline: true, max: MODAL_BODY_MAX })),
      input('questions', 'Example questions, one per line', textInput({ initial: prefill.questions?.join('\n'), multiline: true, max: MODAL_BODY_MAX }), true),
      input('tags', 'Tags, comma-separated', textInput({ initial: prefill.tags?.join(', '), max: 500, placeholder: 'billing, account' }), true),
      {
        type: 'input',
        block_id: 'status',
        label: plain('Status'),
        element: { type: 'static_select', action_id: 'value', options: statuses.map(option), initial_option: option(status) },
      },
    ],
  };
}

export interface KbModalSubmission {
  title: string;
  body: string;
  questions: string[];
  tags: string[];
  status: ArticleStatus;
}

/** Reads a submitted article modal; `errors` (block id → message) when something is missing. */
export function readKbModal(values: unknown): { ok: true; value: KbModalSubmission } | { ok: false; errors: Record<string, string> } {
  const title = viewValue(values, 'title', 'value')?.trim() ?? '';
  const body = viewValue(values, 'body', 'value')?.trim() ?? '';
  const statusRaw = viewValue(values, 'status', 'value') ?? 'draft';
  const errors: Record<string, string> = {};
  if (title === '') errors.title = 'A title is needed.';
  if (body === '') errors.body = 'The answer is needed.';
  if (!['draft', 'published', 'archived'].includes(statusRaw)) errors.status = 'Pick a status.';
  if (Object.keys(errors).length > 0) return { ok: false, errors };
  return {
    ok: true,
    value: {
      title,
      body,
      questions: parseQuestions(viewValue(values, 'questions', 'value')),
      tags: parseTags(viewValue(values, 'tags', 'value')),
      status: statusRaw as ArticleStatus,
    },
  };
}

export function parseModalMetadata(raw: string | undefined): KbModalMetadata {
  try {
    const parsed = JSON.parse(raw ?? '') as Partial<KbModalMetadata>;
    const meta: KbModalMetadata = { mode: parsed.mode === 'edit' ? 'edit' : 'add' };
    if (typeof parsed.slug === 'string') meta.slug = parsed.slug;
    if (typeof parsed.channel === 'string') meta.channel = parsed.channel;
    if (typeof parsed.threadTs === 'string') meta.threadTs = parsed.threadTs;
    return meta;
  } catch {
    return { mode: 'add' };
  }
}

/** The shared `/kb` commands (the core's help) and Slack's own curation commands. */
export const KB_HELP = [
  '*/kb* — the knowledge base',
  ...kbHelpLines(MRKDWN_MARKUP).slice(1).map((line) => `• ${line}`),
  '• `/kb history <slug>` — its revisions',
  '• `/kb add` · `/kb edit <slug>` — open the article form',
  '• `/kb archive <slug>`',
].join('\n');


export function searchText(result: Extract<KbCommandResult, { kind: 'search' }>): string {
  const lines = result.rows.map((r) =>
    `${r.rank}. \`${r.slug}\` ${escapeMrkdwn(r.title)} — ${r.percent} (score ${r.score})${r.mark !== null ? ` ${r.mark}` : ''}`);
  const head = `🔎 _${escapeMrkdwn(truncate(result.query, 200))}_\n${KB_WORDS.decision}: *${result.decision}* · ${KB_WORDS.confidence} ${result.confidence}`;
  return [head, ...(lines.length > 0 ? lines : [`_${KB_WORDS.noMatch}_`])].join('\n');
}

export function showText(a: ArticleView): string {
  return [
    `*${escapeMrkdwn(a.title)}* \`${a.slug}\` — ${a.status}, v${a.version}${a.tags.length > 0 ? ` · tags: ${a.tags.map(escapeMrkdwn).join(', ')}` : ''}`,
    truncate(escapeMrkdwn(a.body), 2500),
    a.questions.length > 0 ? `*${KB_WORDS.questions}*\n${a.questions.slice(0, 20).map((q) => `• ${escapeMrkdwn(q)}`).join('\n')}` : `_${KB_WORDS.noQuestions}_`,
  ].join('\n\n');
}

export function notFoundText(slug: string): string {
  return `${KB_WORDS.noArticle} \`${escapeMrkdwn(slug || '?')}\`. ${KB_WORDS.tryList.replace('/kb list', '`/kb list`')}`;
}

export function listText(result: Extract<KbCommandResult, { kind: 'list' }>): string {
  const { articles, tag, more } = result;
  if (articles.length === 0) return tag !== null ? `${KB_WORDS.taggedNone} \`${escapeMrkdwn(tag)}\`.` : `${KB_WORDS.empty} Add one with \`/kb add\`.`;
  const shown = articles.map((a) => `• \`${a.slug}\` ${escapeMrkdwn(a.title)} — ${a.status}`);
  const rest = more > 0 ? [`…and ${more} more`] : [];
  return [`*${articleCount(articles.length + more)}*${tag !== null ? ` ${KB_WORDS.tagged} \`${escapeMrkdwn(tag)}\`` : ''}`, ...shown, ...rest].join('\n');
}

export function historyText(slug: string, revisions: RevisionView[]): string {
  if (revisions.length === 0) return `No revisions of \`${slug}\`.`;
  const lines = revisions.slice(0, 20).map((r) => `• v${r.version} ${r.createdAt.toISOString().slice(0, 16).replace('T', ' ')} — ${escapeMrkdwn(r.change)} by ${escapeMrkdwn(r.author ?? 'unknown')} (${r.status})`);
  return [`*History of* \`${slug}\``, ...lines].join('\n');
}

// `/kb gaps`: one section per group, its size, a few questions, and a "Write article" button.
// The button carries the group's message ids, not its texts: a press re-reads the questions, so
// a customer forgotten since is not brought back, and 50 ids (37 characters each with the comma)
// stay under Slack's 2,000-character button value.

const GAP_IDS_IN_BUTTON = 50;

export function gapButtonValue(messageIds: readonly string[]): string {
  return messageIds.slice(0, GAP_IDS_IN_BUTTON).join(',');
}

export function parseGapButtonValue(value: string | undefined): string[] {
  return (value ?? '').split(',').map((id) => id.trim()).filter((id) => id !== '');
}

export function gapsBlocks(result: Extract<KbCommandResult, { kind: 'gaps' }>): types.KnownBlock[] {
  const { groups, days } = result;
  if (groups.length === 0) return [{ type: 'section', text: { type: 'mrkdwn', text: `_${escapeMrkdwn(KB_WORDS.noGaps)}_` } }];
  const blocks: types.KnownBlock[] = [{ type: 'section', text: { type: 'mrkdwn', text: `*${escapeMrkdwn(gapsHeadline(days, groups))}*` } }];
  groups.slice(0, GAPS_SHOWN).forEach((g, i) => {
    const questions = g.examples.slice(0, GAP_EXAMPLES_SHOWN).map((q) => `• ${escapeMrkdwn(truncate(q.replace(/\s+/g, ' '), 200))}`);
    blocks.push({
      type: 'section',
      block_id: `kb_gap_${i + 1}`,
      text: { type: 'mrkdwn', text: [`*${i + 1}. ${gapGroupLabel(g)}*`, ...questions].join('\n') },
      accessory: {
        type: 'button',
        action_id: KB_GAP_ACTION,
        text: plain(KB_WORDS.writeArticle),
        value: gapButtonValue(g.questions.map((q) => q.messageId)),
      },
    });
  });
  if (groups.length > GAPS_SHOWN) {
    blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: `…and ${groups.length - GAPS_SHOWN} more groups: \`solodesk kb gaps\` lists them all.` }] });
  }
  return blocks;
}

/** The article form for a gap group: titled after its first question, every question an example question. */
export function gapArticlePrefill(questions: readonly string[]): KbModalPrefill {
  const oneLine = questions.map((q) => q.replace(/\s+/g, ' ').trim()).filter((q) => q !== '');
  return { title: truncate(oneLine[0] ?? '', 120), questions: oneLine, status: 'draft' };
}

import type { ChannelEvent, CustomerIdentitySummary, CustomerSummary, EscalationReason, FounderNotice, ReportView } from '../ports.ts';
import { reportText } from '../insight/report-view.ts';

// What each founder notice says, once, for every console. A view holds plain text (no markup):
// an adapter escapes it and adds its own marks (Telegram HTML, Slack Block Kit, the terminal), and
// has no words of its own for these meanings.

export const REASON_TEXT: Record<EscalationReason, string> = {
  human_requested: 'the customer asked for a person',
  kb_unsure: 'the KB is not sure',
  customer_rejected_answer: 'the customer said the answer did not help (👎)',
  no_suggestion_fit: 'none of the suggested articles fit',
  flood: 'many messages in a short time',
};

/** Headings and fixed phrases of the notices. */
export const NOTICE_WORDS = {
  escalation: 'Escalation',
  escalatedAgain: 'Needs you again',
  /** The terminal's one-line form of an escalation. */
  escalatedToFounder: 'escalated to the founder',
  why: 'Why',
  question: 'Question',
  earlier: 'Earlier in this conversation',
  candidates: 'KB candidates',
  noCandidates: 'No article matched.',
  draft: 'Draft answer',
  draftSources: 'The draft cites',
  notSentBecause: 'Not sent by itself because',
  /** An LLM_MODE=auto answer: what the customer got without the founder. */
  autoAnswer: 'Answered by the LLM (auto)',
  autoAnswerSent: 'Sent to the customer',
  sources: 'From the articles',
  autoAnswerHint: 'Reply to correct or add to it; the customer can rate it 👍/👎 (👎 brings it to you).',
  toldCustomer: 'The customer was told',
  customer: 'Customer',
  /** The customer's other identities (`!link`), tags (`!tag`) and notes (`!note`). */
  alsoOn: 'Also on',
  tags: 'Tags',
  notes: 'Notes',
  /** A follow-up shown where the customer is not (the terminal shows the customer's own line). */
  relayed: 'relayed to the founder',
  noText: '(no text)',
  /** A founder replied to a channel's event (a login QR code …) as if it were a conversation. */
  channelEventReply: 'That notice is about a channel, not a customer conversation: nothing was sent. Reply to a conversation notice to answer a customer.',
} as const;

const CHANNEL_NAMES: Record<string, string> = {
  telegram: 'Telegram',
  wechat: 'WeChat',
  wechat_oa: 'WeChat Official Account',
  wecom: 'WeCom',
  slack: 'Slack',
  console: 'Console',
  web: 'Web',
  llm: 'LLM',
};
const HISTORY_SHOWN = 5;
const CANDIDATES_SHOWN = 5;

export function channelName(channel: string): string {
  return CHANNEL_NAMES[channel] ?? channel;
}

export function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

export function percent(confidence: number): string {
  return `${Math.round(confidence * 100)}%`;
}

type Notice<T extends FounderNotice['type']> = Extract<FounderNotice, { type: T }>;

export interface CustomerView {
  /** Display name, else username, else the platform id. */
  name: string;
  username: string | null;
  channelName: string;
  externalId: string;
  /** `first conversation` or `2 earlier conversations`. */
  conversations: string;
  /** `last rating 4/5` or `no rating yet`. */
  rating: string;
  /** Every identity (`Telegram @ann (123)`), when the customer has more than the one above. */
  otherIdentities: string[];
  /** The founder's tags (`!tag`) and notes (`!note`, one dated line each) about the customer. */
  tags: string[];
  notes: string[];
}

/** `Telegram @ann Ann Lee (123)`: one identity of a customer, for notices and `/customer`. */
export function identityLine(i: CustomerIdentitySummary): string {
  const name = i.displayName !== null && i.displayName !== i.username && i.displayName !== i.externalUserId ? ` ${i.displayName}` : '';
  return `${channelName(i.channel)}${i.username ? ` @${i.username}` : ''}${name} (${i.externalUserId})`;
}

export interface EscalationView {
  conversationId: string;
  reason: EscalationReason;
  reasonText: string;
  customer: CustomerView;
  /** The question, or `(no text)`. */
  question: string;
  /** Names of the customer's files (the kind when a file has no name). */
  files: string[];
  /** The conversation before the question (its own occurrence left out), last few, one line each. */
  earlier: Array<{ author: string; text: string }>;
  candidates: Array<{ title: string; slug: string; percent: string }>;
  draft: string | null;
  /** `Title (slug)` of each article the draft cites. */
  draftSources: string[];
  /** LLM_MODE=auto: why the draft did not go to the customer by itself. */
  notSentBecause: string | null;
  /** What the customer was told along with the escalation (e.g. the founder is away). */
  toldCustomer: string | null;
}

export function escalationView(n: Notice<'escalation'>): EscalationView {
  const c = n.customer;
  return {
    conversationId: n.conversationId,
    reason: n.reason,
    reasonText: REASON_TEXT[n.reason] ?? n.reason,
    customer: customerView(c),
    question: n.question.trim() === '' ? NOTICE_WORDS.noText : n.question,
    files: n.attachments.map((a) => a.name ?? a.kind),
    earlier: earlierHistory(n),
    candidates: n.candidates.slice(0, CANDIDATES_SHOWN).map((k) => ({ title: k.title, slug: k.slug, percent: percent(k.confidence) })),
    draft: n.draft !== undefined && n.draft.trim() !== '' ? n.draft : null,
    draftSources: (n.draftSources ?? []).map(sourceLine),
    notSentBecause: n.notSentBecause ?? null,
    toldCustomer: n.customerNotice ?? null,
  };
}

function sourceLine(a: { slug: string; title: string }): string {
  return `${a.title} (${a.slug})`;
}

function customerView(c: CustomerSummary): CustomerView {
  return {
    name: c.displayName ?? c.username ?? c.externalUserId,
    username: c.username,
    channelName: channelName(c.channel),
    externalId: c.externalUserId,
    conversations: c.earlierConversations === 0 ? 'first conversation' : `${c.earlierConversations} earlier conversation${c.earlierConversations === 1 ? '' : 's'}`,
    rating: c.lastRating === null ? 'no rating yet' : `last rating ${c.lastRating}/5`,
    otherIdentities: (c.identities ?? [])
      .filter((i) => !(i.channel === c.channel && i.externalUserId === c.externalUserId))
      .map(identityLine),
    tags: c.tags ?? [],
    notes: (c.notes ?? '').split('\n').filter((line) => line.trim() !== ''),
  };
}

export interface AutoAnswerView {
  conversationId: string;
  customer: CustomerView;
  question: string;
  answer: string;
  /** `Title (slug)` of each article the answer cites. */
  sources: string[];
}

export function autoAnswerView(n: Notice<'auto_answer'>): AutoAnswerView {
  return {
    conversationId: n.conversationId,
    customer: customerView(n.customer),
    question: n.question.trim() === '' ? NOTICE_WORDS.noText : n.question,
    answer: n.answer,
    sources: n.sources.map(sourceLine),
  };
}

function earlierHistory(n: Notice<'escalation'>): Array<{ author: string; text: string }> {
  // The question is shown on its own: its last occurrence is left out of the history.
  let questionAt = -1;
  n.history.forEach((h, i) => {
    if (h.author === 'customer' && h.text === n.question) questionAt = i;
  });
  return n.history
    .filter((_h, i) => i !== questionAt)
    .slice(-HISTORY_SHOWN)
    .map((h) => ({ author: h.author, text: truncate(h.text.replace(/\s+/g, ' ').trim(), 200) }));
}

export interface FollowupView {
  conversationId: string;
  text: string;
  files: string[];
}

export function followupView(n: Notice<'customer_followup'>): FollowupView {
  return { conversationId: n.conversationId, text: n.text.trim() === '' ? NOTICE_WORDS.noText : n.text, files: n.attachments.map((a) => a.name ?? a.kind) };
}

export interface StatusView {
  conversationId: string;
  status: string;
  /** How the console shows it: the founder's turn, the customer's turn, done, or another status. */
  phase: 'waiting' | 'answered' | 'resolved' | 'other';
  /** `waiting for you`, `answered`, `resolved`, or the status itself. */
  text: string;
  /** The founder who changed it; null when the desk itself did. */
  by: string | null;
}

export function statusView(n: Notice<'status'>): StatusView {
  const by = n.by !== '' && n.by !== 'system' ? n.by : null;
  const base = { conversationId: n.conversationId, status: n.status, by };
  switch (n.status) {
    case 'escalated':
    case 'open':
    case 'waiting':
      return { ...base, phase: 'waiting', text: 'waiting for you' };
    case 'waiting_customer':
    case 'answered':
      return { ...base, phase: 'answered', text: 'answered' };
    case 'resolved':
      return { ...base, phase: 'resolved', text: 'resolved' };
    default:
      return { ...base, phase: 'other', text: n.status };
  }
}

/**
 * The status as one sentence, e.g. `answered by <who>, waiting for the customer`; `who` marks up
 * the founder reference (Slack mentions), `text` escapes the rest.
 */
export function statusSentence(view: StatusView, m: { text(t: string): string; who(ref: string): string }): string {
  if (view.phase === 'waiting') return `${m.text(view.text)}${view.by !== null ? ` ${m.text('(reopened by')} ${m.who(view.by)}${m.text(')')}` : ''}`;
  const by = view.by !== null ? ` ${m.text('by')} ${m.who(view.by)}` : '';
  return `${m.text(view.text)}${by}${view.phase === 'answered' ? m.text(', waiting for the customer') : ''}`;
}

export interface DeliveryView {
  conversationId: string;
  delivered: boolean;
  /** `founder reply delivered` or `founder reply not delivered`. */
  text: string;
  /** Why it was not delivered. */
  error: string | null;
}

export function deliveryView(n: Notice<'delivery_report'>): DeliveryView {
  return n.delivered
    ? { conversationId: n.conversationId, delivered: true, text: 'founder reply delivered', error: null }
    : { conversationId: n.conversationId, delivered: false, text: 'founder reply not delivered', error: truncate(n.error ?? 'unknown reason', 500) };
}

export interface FilesNotRelayedView {
  conversationId: string;
  /** Each name as the founder's file had it (shortened). */
  names: string[];
  /** `“a.pdf” was not sent to the customer: only text is relayed …` (names listed apart when several). */
  text: string;
}

export function filesNotRelayedView(n: Notice<'attachments_not_relayed'>): FilesNotRelayedView {
  const names = n.names.map((name) => truncate(name, 200));
  const what = names.length === 0 ? 'Your file was' : names.length === 1 ? `“${names[0]}” was` : `${names.length} files were`;
  return {
    conversationId: n.conversationId,
    names,
    text: `${what} not sent to the customer: only text is relayed to customers, files stay with you. To share one, reply with a link the customer can open.`,
  };
}

export interface ChannelEventView {
  channel: string;
  event: ChannelEvent['event'];
  /** What happened, in one line, e.g. `WeChat logged in as Ann` (carries the detail when it says who). */
  title: string;
  /** The adapter's line under the title, when the title does not already carry it. */
  detail: string | null;
  /** An http(s) link to open (the QR code), else null. */
  url: string | null;
  /** What the link says. */
  linkText: string | null;
}

const DETAIL_MAX = 500;

/**
 * The adapter's detail in one line: it promises one, but a console that prints one line per notice
 * (the terminal) or a bold title (Slack, Telegram) must not be broken by a name with a newline.
 */
function oneLine(text: string): string {
  return truncate(text.replace(/\s+/g, ' ').trim(), DETAIL_MAX);
}

/** Longer than any QR code link; keeps title, detail and link inside one Slack section (3,000). */
const URL_MAX = 2000;

/**
 * Only an http(s) URL is offered as a link: a console puts it behind a tap, and another scheme
 * (`javascript:`, `data:`) is nothing a founder should open from a notice. A link is never cut
 * short (half a URL opens the wrong page), so one too long for a console is not offered.
 */
function linkOf(url: string | undefined): string | null {
  if (url === undefined) return null;
  try {
    const parsed = new URL(url);
    const usable = (parsed.protocol === 'https:' || parsed.protocol === 'http:') && parsed.href.length <= URL_MAX;
    return usable ? parsed.href : null;
  } catch {
    return null;
  }
}

export function channelEventView(n: Notice<'channel_event'>): ChannelEventView {
  const { channel, event } = n.event;
  const name = channelName(channel);
  // The notice was JSON in the outbox: a row written without a detail still renders.
  const detail = oneLine(n.event.detail ?? '');
  const url = linkOf(n.event.url);
  const base = { channel, event, url, linkText: url === null ? null : event === 'login_qr' ? 'Open the QR code' : 'Open' };
  // logged_in and friend_request say who in the title; the others keep the adapter's words apart.
  const apart = (title: string): ChannelEventView => ({ ...base, title, detail: detail === '' ? null : detail });
  const who = (title: string, joiner: string): ChannelEventView => ({ ...base, title: detail === '' ? title : `${title}${joiner}${detail}`, detail: null });
  switch (event) {
    case 'login_qr':
      return apart(`${name} needs a new login: scan the QR code`);
    case 'logged_in':
      return who(`${name} logged in`, ' as ');
    case 'logged_out':
      return apart(`${name} logged out`);
    case 'session_error':
      return apart(`${name} session error`);
    case 'friend_request':
      return who(`Friend request on ${name}`, ': ');
    case 'llm_unavailable':
      return apart('The LLM is standing aside for now');
    default:
      // An event kind this version does not know (a newer adapter, an old outbox row): still shown.
      return apart(`${name}: ${String(event)}`);
  }
}

export type NoticeView =
  | ({ type: 'escalation' } & EscalationView)
  | ({ type: 'auto_answer' } & AutoAnswerView)
  | ({ type: 'customer_followup' } & FollowupView)
  | ({ type: 'status' } & StatusView)
  | ({ type: 'delivery_report' } & DeliveryView)
  | ({ type: 'attachments_not_relayed' } & FilesNotRelayedView)
  | ({ type: 'channel_event' } & ChannelEventView)
  /** The weekly digest: the report's lines, and the same as plain text for consoles without markup. */
  | { type: 'digest'; view: ReportView; text: string };

export function noticeView(notice: FounderNotice): NoticeView {
  switch (notice.type) {
    case 'escalation':
      return { type: 'escalation', ...escalationView(notice) };
    case 'auto_answer':
      return { type: 'auto_answer', ...autoAnswerView(notice) };
    case 'customer_followup':
      return { type: 'customer_followup', ...followupView(notice) };
    case 'status':
      return { type: 'status', ...statusView(notice) };
    case 'delivery_report':
      return { type: 'delivery_report', ...deliveryView(notice) };
    case 'attachments_not_relayed':
      return { type: 'attachments_not_relayed', ...filesNotRelayedView(notice) };
    case 'channel_event':
      return { type: 'channel_event', ...channelEventView(notice) };
    case 'digest':
      return { type: 'digest', view: notice.view, text: reportText(notice.view) };
  }
}

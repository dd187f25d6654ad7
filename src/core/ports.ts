import type { InboundMessageInput, OutboundMessage } from './messages.ts';

// The ports the core owns; adapters implement them (STYLE.md "What we take" 1).

/** One row of the outbox as a sender sees it. */
export interface Delivery<P = DeliveryPayload> {
  id: string;
  channel: string;
  payload: P;
  /** 1 on the first try. */
  attempt: number;
}

export type DeliveryPayload = CustomerDelivery | FounderNotice;

export interface CustomerDelivery {
  type: 'customer_message';
  conversationId: string;
  messageId: string;
  message: OutboundMessage;
}

export interface KbCandidateSummary {
  articleId: string;
  slug: string;
  title: string;
  confidence: number;
}

export interface CustomerSummary {
  customerId: string;
  displayName: string | null;
  channel: string;
  externalUserId: string;
  username: string | null;
  earlierConversations: number;
  lastRating: number | null;
  /**
   * Every identity of the customer across channels (`!link` joins them). Optional: notices
   * written before profiles existed lack it, and the view then shows the one above.
   */
  identities?: CustomerIdentitySummary[];
  /** The founder's tags (`!tag`) and private notes (`!note`) about the customer. */
  tags?: string[];
  notes?: string | null;
}

export interface CustomerIdentitySummary {
  channel: string;
  externalUserId: string;
  username: string | null;
  displayName: string | null;
}

/**
 * A customer as the founder reads them (`/customer`, after `!link`, `!tag`, `!note`): every
 * identity, their conversations and ratings, and what the founder wrote about them. A customer
 * linked into this one counts as this one: its identities, conversations, tags and notes are here.
 */
export interface CustomerProfile {
  customerId: string;
  displayName: string | null;
  identities: CustomerIdentitySummary[];
  conversationCount: number;
  /** The latest few conversations, newest first. */
  recentConversations: Array<{ id: string; channel: string; status: string; lastMessageAt: string; firstQuestion: string | null }>;
  ratings: { count: number; mean: number | null; last: { score: number; kind: 'answer' | 'csat' } | null };
  tags: string[];
  notes: string | null;
  /** Customers linked into this one (`!link`), oldest first. */
  linked: Array<{ customerId: string; displayName: string | null }>;
}

/** What `!link`, `!unlink`, `!tag` or `!note` did, and the customer it did it to, as it is now. */
export interface CustomerChange {
  change: 'linked' | 'unlinked' | 'tagged' | 'noted';
  profile: CustomerProfile;
  /** `linked`: the customer moved into this one; `unlinked`: the customer split off again. */
  other?: { customerId: string; displayName: string | null };
}

/** What the founder's console (a Slack channel, a Telegram chat, the terminal) is told. */
export type FounderNotice =
  | {
      type: 'escalation';
      conversationId: string;
      reason: EscalationReason;
      customer: CustomerSummary;
      question: string;
      attachments: Array<{ kind: string; name?: string }>;
      /** Recent messages of this conversation, oldest first. */
      history: Array<{ author: string; text: string; at: string }>;
      candidates: KbCandidateSummary[];
      /** A reply the LLM drafted from the KB: the founder sends it (Send draft, `!send`), edits it, or writes their own. */
      draft?: string;
      /** The articles the draft cites. */
      draftSources?: Array<{ slug: string; title: string }>;
      /** LLM_MODE=auto: why the draft was not sent to the customer by itself. */
      notSentBecause?: string;
      /** Sent to the customer along with the escalation, e.g. when the founder is away. */
      customerNotice?: string;
    }
  /**
   * LLM_MODE=auto answered the customer by itself (a grounded draft that cites the KB): the
   * founder sees what was sent and from which articles, and can step in by replying.
   */
  | {
      type: 'auto_answer';
      conversationId: string;
      customer: CustomerSummary;
      question: string;
      answer: string;
      sources: Array<{ slug: string; title: string }>;
    }
  /** A later message of a conversation that is with the founder. */
  | { type: 'customer_followup'; conversationId: string; text: string; attachments: Array<{ kind: string; name?: string }> }
  | { type: 'status'; conversationId: string; status: string; by: string }
  | { type: 'delivery_report'; conversationId: string; messageId: string; delivered: boolean; error?: string }
  /** The founder replied with files; customers' apps do not get files from the console yet. */
  | { type: 'attachments_not_relayed'; conversationId: string; names: string[] }
  /**
   * A channel's session needs the founder (a login QR code, a logout, a friend request). It has no
   * conversation: consoles show it on its own (a Slack root message, not a thread; no Telegram tag).
   */
  | { type: 'channel_event'; event: ChannelEvent }
  /**
   * The weekly digest (insight/digest.ts): the report of the week as lines, and its days for the
   * chart the Slack console renders (conversations, answered by the bot vs escalated, satisfaction).
   * Not about one conversation: shown on its own, like a channel event.
   */
  | { type: 'digest'; key: string; view: ReportView; days: DigestDay[] };

/** One day of the digest's chart (insight/report.ts ReportDay). */
export interface DigestDay {
  date: string;
  conversations: number;
  answeredByBot: number;
  escalated: number;
  satisfaction: number | null;
}

/**
 * Something a channel's session did that the founder must know or act on (a WeChat login QR code
 * to scan, a logout, a friend request waiting), or the LLM standing aside for the day (channel
 * `llm`). Not about one conversation: consoles show it on their own, outside any thread.
 */
export interface ChannelEvent {
  /** The channel it happened on (`wechat`), or `llm`. */
  channel: string;
  event: 'login_qr' | 'logged_in' | 'logged_out' | 'session_error' | 'friend_request' | 'llm_unavailable';
  /** One line for the founder (no secrets, no tokens). */
  detail: string;
  /** A link to open (the QR code's URL), when there is one. */
  url?: string;
}

/**
 * Drafts a reply from KB articles for the founder (src/llm implements it; the core never imports
 * an LLM client). Never throws for an LLM failure: it is `unavailable`, and the desk goes on as if
 * there were no LLM.
 */
export interface Drafter {
  draft(request: { question: string; language: 'en' | 'zh'; articles: Array<{ id: string; title: string; body: string }> }): Promise<DraftResult>;
}

export type DraftResult =
  | {
      kind: 'draft';
      answer: string;
      /** Only ids of articles that were provided. */
      citedArticleIds: string[];
      /** Every grounding check passed: it may be sent without the founder (LLM_MODE=auto). */
      autoSendable: boolean;
      whyNotAuto?: string;
      /** Tokens this draft used (the audit log and the day's budget count them). */
      tokens?: number;
    }
  | { kind: 'unavailable'; reason: 'budget' | 'timeout' | 'error' | 'invalid_output'; tokens?: number };

export type EscalationReason = 'human_requested' | 'kb_unsure' | 'customer_rejected_answer' | 'no_suggestion_fit' | 'flood';

export interface SendResult {
  /** The platform's id(s) of what was sent (several when a long text was split). */
  platformMessageIds?: string[];
}

/**
 * Delivers outbox rows of one channel. Throws RateLimitedError (retry after), PlatformApiError
 * with `permanent` (stop: blocked, chat not found), or anything else for a transient failure.
 */
export interface Sender {
  readonly channel: string;
  readonly limits?: {
    /** Minimum gap between two sends to the same chat. */
    perChatIntervalMs?: number;
    /** Sends per second over the whole channel. */
    perSecond?: number;
  };
  /**
   * Whether this process can deliver for the channel now. False while a session is logged out or
   * owned by another process (WeChat's lease): the outbox then leaves the channel's rows for
   * later, or for the process that can, instead of claiming them only to put them back.
   * Absent means always.
   */
  canSend?(): boolean;
  send(delivery: Delivery): Promise<SendResult>;
}

/** The founder console: receives founder notices (channel name `founder`). */
export const FOUNDER_CHANNEL = 'founder';

/** What adapters call. Every method resolves only after its transaction committed. */
export interface CoreApi {
  /**
   * Stores a customer message durably (a redelivery is a no-op) and resolves: the decision and
   * the replies follow from the durable inbox. Throws OverloadedError when it cannot store in time
   * (answer the platform with a retryable status); anything else thrown means "not stored" too.
   */
  handleInbound(message: InboundMessageInput): Promise<InboundResult>;
  /**
   * Records a delivery the adapter could not turn into a message (structurally invalid): the
   * adapter then acknowledges it, so the platform stops redelivering a poison update.
   */
  rejectInbound(rejected: RejectedInbound): Promise<void>;
  handleAction(action: CustomerAction): Promise<InboundResult>;
  /** Tells the founder console about a channel's session (through the outbox, like every notice). */
  reportChannelEvent(event: ChannelEvent): Promise<void>;
  /** `/stats`: the report of the last `days` days (7 by default) as lines every console can show (insight/report-stats.ts). */
  stats(input?: { days?: number }): Promise<ReportView>;
  founder: FounderActions;
}

export interface RejectedInbound {
  channel: string;
  /** The platform's id of the delivery when it has one (update_id, event_id); dedupes the record. */
  platformEventId?: string;
  /** Why it was rejected, short and free of customer text (it is a metric label's neighbour). */
  reason: string;
  raw?: unknown;
}

export interface InboundResult {
  /** The platform delivered this before: nothing was done. */
  duplicate: boolean;
  /** The durable inbox row of this delivery (also for a duplicate). */
  inboundId?: string;
  /** The delivery could not be taken as a message; it was recorded as rejected (acknowledge it). */
  rejected?: boolean;
  conversationId?: string;
  outcome?: string;
}

/** A customer pressed a button (👍/👎, a suggestion, "none of these"). */
export interface CustomerAction {
  channel: string;
  externalUserId: string;
  externalChatId: string;
  /** The button's `action` string, verbatim. */
  action: string;
  /** Unique per channel, so a redelivered press is a no-op. */
  platformEventId: string;
  threadId?: string;
}

/** A report as words (insight/report-view.ts): a title and sections of plain lines the consoles mark up. */
export interface ReportView {
  title: string;
  sections: Array<{ heading?: string; lines: string[] }>;
}

/** A customer question no article answered (a KB gap): the customer's message, and why it was escalated. */
export interface GapQuestion {
  messageId: string;
  conversationId: string;
  text: string;
  at: Date;
  reason: 'kb_unsure' | 'no_suggestion_fit' | 'customer_rejected_answer';
}

/** Gap questions that mean the same: one article to write. */
export interface KbGapGroup {
  /** questions in the group (one per customer message) */
  size: number;
  /** distinct question texts, the most typical first (at most 10) */
  examples: string[];
  /** the group's questions, the most typical first */
  questions: GapQuestion[];
}

export interface FounderActions {
  /**
   * Replies to the customer; returns the stored message id (empty when only files came and no
   * text). Files the founder attached are not relayed: the founder is told so in the thread.
   */
  reply(input: {
    conversationId: string;
    text: string;
    founder: string;
    platformMessageId?: string;
    attachments?: Array<{ kind: string; name?: string }>;
  }): Promise<{ messageId: string; duplicate: boolean }>;
  /**
   * Keeps a private note in the conversation: stored (kind `note`), deduped by the platform id like
   * a reply, and never given an outbox row, so no channel can ever send it to the customer.
   */
  note(input: {
    conversationId: string;
    text: string;
    founder: string;
    platformMessageId?: string;
    attachments?: Array<{ kind: string; name?: string }>;
  }): Promise<{ messageId: string; duplicate: boolean }>;
  resolve(input: { conversationId: string; founder: string }): Promise<void>;
  reopen(input: { conversationId: string; founder: string }): Promise<void>;
  /**
   * Sends the conversation's last LLM draft as the founder's reply (Send draft, `!send`, `/send`);
   * deduped by the platform id like a reply. Throws NoDraftError when there is none.
   */
  sendDraft(input: { conversationId: string; founder: string; platformMessageId?: string }): Promise<{ messageId: string; duplicate: boolean }>;
  /** Saves the customer's question and the founder's last reply as an article (or adds the question to an existing one). */
  saveAsArticle(input: { conversationId: string; founder: string; title?: string; publish: boolean; articleSlug?: string }): Promise<{ slug: string; created: boolean }>;
  /**
   * `!link <customer>`: the customer found by `query` (an id, a name, a username, a platform id)
   * joins this conversation's customer: their identities and conversations move here, each
   * conversation keeps its own channel and chat. Undone by `unlinkCustomer`.
   */
  linkCustomer(input: { conversationId: string; founder: string; query: string }): Promise<CustomerChange>;
  /** `!unlink`: undoes this conversation's customer's last link, moving back exactly what it moved. */
  unlinkCustomer(input: { conversationId: string; founder: string }): Promise<CustomerChange>;
  /** `!tag a b`: adds tags (lower-cased) to this conversation's customer. */
  tagCustomer(input: { conversationId: string; founder: string; tags: string[] }): Promise<CustomerChange>;
  /** `!note text`: appends a dated, attributed private line to the customer's notes (never sent). */
  noteCustomer(input: { conversationId: string; founder: string; text: string }): Promise<CustomerChange>;
  /** `/customer <name|id>`: the customers that match (a linked one as the one it is linked into). */
  findCustomers(query: string): Promise<CustomerProfile[]>;
  /** `/kb gaps`: escalated questions no article answered, grouped by meaning, biggest group first (insight/kb-gaps.ts). */
  kbGaps(input?: { since?: Date }): Promise<KbGapGroup[]>;
  /** The texts of these gap questions (message ids), re-read when the founder writes the group's article. */
  gapQuestions(messageIds: readonly string[]): Promise<string[]>;
  /** The conversation whose founder thread this is. */
  conversationForThread(threadRef: { channelId: string; threadTs: string }): Promise<string | null>;
  /** Where the founder console put this conversation's thread, if it did. */
  threadOf(conversationId: string): Promise<{ channelId: string; threadTs: string } | null>;
  /** Records where the founder console put this conversation's thread. */
  attachThread(input: { conversationId: string; channelId: string; threadTs: string }): Promise<void>;
}

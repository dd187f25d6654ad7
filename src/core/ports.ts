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
  | { type: 'channel_event'; event: ChannelEvent };

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
  /** The conversation whose founder thread this is. */
  conversationForThread(threadRef: { channelId: string; threadTs: string }): Promise<string | null>;
  /** Where the founder console put this conversation's thread, if it did. */
  threadOf(conversationId: string): Promise<{ channelId: string; threadTs: string } | null>;
  /** Records where the founder console put this conversation's thread. */
  attachThread(input: { conversationId: string; channelId: string; threadTs: string }): Promise<void>;
}

import { createInterface, type Interface } from 'node:readline';
import type { PrismaClient } from '@prisma/client';
import type { CoreApi, CustomerDelivery, Delivery, FounderNotice, SendResult, Sender } from '../../core/ports.ts';
import { FOUNDER_CHANNEL } from '../../core/ports.ts';
import { handleFounderMessage, type FounderOutcome } from '../../core/founder/founder-message.ts';
import { draftHint, PLAIN_MARKUP, terminalFounderHint, unknownCommandText } from '../../core/founder/help.ts';
import { NOTICE_WORDS, noticeView } from '../../core/founder/notice-view.ts';
import { decodeCustomerAction } from '../../core/customer-action.ts';
import { customerChangeText, customerSearchView, profileText } from '../../core/customers/profile-view.ts';

// The terminal as a chat app: a person types as a customer and reads the bot's replies; when no
// other founder console is configured, the same person answers as the founder with /reply.
// Piped input is one message per line, and the command ends after the last reply.
// As the founder console of `solodesk start` it also gets other channels' conversations (a web
// visitor on /web/demo): each is shown with a short number, `#1`, which the founder's commands take
// (`/reply #1 …`); without one, a command is about the terminal's own conversation, or, when the
// terminal has none, about the latest conversation of another channel.
// Each run is its own chat (`<user>:<session>`), so a conversation an earlier run left with the
// founder does not swallow this run's questions; `--resume` goes on with the last open one.
// What one typed line causes is printed together once its deliveries are out: the customer's side
// (`bot › …`) first, then the founder's bracketed notices, whichever the dispatcher sent first.

export const CONSOLE_CHANNEL = 'console';

export interface ConsoleChannelOptions {
  core: CoreApi;
  prisma: PrismaClient;
  input: NodeJS.ReadableStream;
  output: NodeJS.WritableStream;
  /** The terminal is also the founder's console. */
  founderHere: boolean;
  /** Distinguishes this run's messages and chat from earlier runs' (platform message ids, chat id). */
  sessionId: string;
  userName: string;
  /** Go on with this user's last open console conversation instead of starting a new chat. */
  resume?: boolean;
  /**
   * Ctrl-C while readline handles a terminal: it then arrives as readline's 'SIGINT' event
   * instead of a process signal, and without a listener readline only pauses.
   */
  onInterrupt?: () => void;
}

export class ConsoleChannel {
  readonly senders: Sender[];
  /** This run's chat: the customer (the login name) stays one, each run is a chat of its own. */
  private chat: string;
  private conversationId: string | undefined;
  private lastButtons: Array<{ action: string; label: string }> = [];
  private counter = 0;
  private lines: Interface | undefined;
  /** Conversations of other channels the founder was told about: id → its short number (1, 2, …). */
  private readonly others = new Map<string, number>();
  private readonly otherIds: string[] = [];
  /** While a typed line is handled: what it caused, printed in this order when it is done. */
  /** The deliveries of the typed line being handled, one block of lines each, by side. */
  private turn: { customer: string[][]; founder: string[][] } | undefined;

  constructor(private readonly options: ConsoleChannelOptions) {
    this.chat = `${options.userName}:${options.sessionId}`;
    const customerSender: Sender = { channel: CONSOLE_CHANNEL, send: (d) => this.showCustomerMessage(d) };
    const founderSender: Sender = { channel: FOUNDER_CHANNEL, send: (d) => this.showFounderNotice(d) };
    this.senders = options.founderHere ? [customerSender, founderSender] : [customerSender];
  }

  /** The platform chat id this run writes in (`<user>:<session>`, or the resumed conversation's). */
  get chatId(): string {
    return this.chat;
  }

  /** Reads lines until the input ends; each line is handled and its replies shown before the next. */
  async run(): Promise<void> {
    const { output, founderHere } = this.options;
    const interactive = 'isTTY' in this.options.input && Boolean((this.options.input as { isTTY?: boolean }).isTTY);
    if (interactive) {
      output.write('Solodesk console — type as a customer.');
      output.write(founderHere ? ` ${terminalFounderHint()}\n` : '\n');
    }
    const lines = createInterface({ input: this.options.input, terminal: false });
    this.lines = lines;
    lines.on('SIGINT', () => this.options.onInterrupt?.());
    if (this.options.resume) await this.resumeLastConversation();
    for await (const line of lines) {
      this.turn = { customer: [], founder: [] };
      try {
        await this.handleLine(line.trim());
        await this.waitForDeliveries();
      } finally {
        const { customer, founder } = this.turn;
        this.turn = undefined;
        for (const block of [...customer, ...founder]) this.printBlock(block);
      }
    }
  }

  /** `--resume`: this run writes in the chat of the user's latest open console conversation. */
  private async resumeLastConversation(): Promise<void> {
    const { prisma, userName } = this.options;
    const last = await prisma.conversation.findFirst({
      where: {
        channel: CONSOLE_CHANNEL,
        status: { not: 'resolved' },
        customer: { identities: { some: { channel: CONSOLE_CHANNEL, externalUserId: userName } } },
      },
      orderBy: { lastMessageAt: 'desc' },
      select: {
        id: true,
        externalChatId: true,
        status: true,
        messages: { where: { author: 'customer', kind: 'text' }, orderBy: { createdAt: 'desc' }, take: 1, select: { text: true } },
      },
    });
    if (!last) return this.print('(no open conversation to resume: this is a new one)');
    this.chat = last.externalChatId;
    this.conversationId = last.id;
    const lastWords = last.messages[0]?.text;
    this.print(`(resuming your ${last.status} conversation${lastWords ? `, where you last wrote: ${plain(lastWords)}` : ''})`);
  }

  /** Stops reading input: run() returns after the line in hand, and the input is let go. */
  close(): void {
    this.lines?.close();
  }

  private async handleLine(line: string): Promise<void> {
    if (!line) return;
    const { core, founderHere } = this.options;
    const lookup = /^\/customer\b\s*([\s\S]*)$/.exec(line);
    if (lookup && founderHere) return this.showCustomers(lookup[1] ?? '');
    const command = /^\/(reply|resolve|save|send|link|unlink|tag|note)\b\s*(?:#(\d+)\b\s*)?([\s\S]*)$/.exec(line);
    if (command && founderHere) {
      const [, name, number, rest = ''] = command;
      const conversationId = number !== undefined ? this.otherIds[Number(number) - 1] : (this.conversationId ?? this.otherIds.at(-1));
      if (!conversationId) return this.print(number !== undefined ? `(no conversation #${number})` : '(no conversation yet)');
      // The terminal's slash commands are the thread commands (its /save publishes at once), and
      // /reply text is read like a thread reply: a note prefix keeps it a note.
      const text = name === 'reply' ? rest : name === 'save' ? `!save! ${rest}` : `!${name} ${rest}`;
      const outcome = await handleFounderMessage(core.founder, {
        conversationId,
        text,
        founder: `console:${this.options.userName}`,
        platformMessageId: `${this.options.sessionId}:founder:${++this.counter}`,
      });
      return this.showOutcome(outcome, conversationId);
    }
    const vote = line === '+' ? 'up' : line === '-' ? 'down' : undefined;
    const button = vote && this.lastButtons.find((b) => {
      const action = decodeCustomerAction(b.action);
      return action?.kind === 'feedback' && action.vote === vote;
    });
    const base = {
      channel: CONSOLE_CHANNEL,
      externalUserId: this.options.userName,
      externalChatId: this.chat,
    };
    const id = `${this.options.sessionId}:${++this.counter}`;
    const result = button
      ? await core.handleAction({ ...base, action: button.action, platformEventId: id })
      : await core.handleInbound({ ...base, platformMessageId: id, text: line, sender: { displayName: this.options.userName } });
    if (result.inboundId) this.conversationId = (await this.waitForDecision(result.inboundId)) ?? this.conversationId;
    else if (result.conversationId) this.conversationId = result.conversationId;
  }

  /** The core decides stored messages on its own loop: waits for this one, returns its conversation. */
  private async waitForDecision(inboundId: string): Promise<string | undefined> {
    for (let i = 0; i < 600; i++) {
      const row = await this.options.prisma.inboundEvent.findUnique({ where: { id: inboundId }, select: { status: true, conversationId: true } });
      if (row === null || row.status !== 'pending') return row?.conversationId ?? undefined;
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    return undefined;
  }

  /** Waits until this terminal's deliveries are out (the dispatcher sends them). */
  private async waitForDeliveries(): Promise<void> {
    for (let i = 0; i < 600; i++) {
      const pending = await this.options.prisma.outbox.count({
        where: {
          status: 'pending',
          channel: { in: this.senders.map((s) => s.channel) },
          nextAttemptAt: { lte: new Date(Date.now() + 2_000) },
          OR: [{ chatKey: `${CONSOLE_CHANNEL}:${this.chat}` }, { chatKey: { startsWith: `${FOUNDER_CHANNEL}:` } }],
        },
      });
      if (pending === 0) return;
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  }

  private async showCustomerMessage(delivery: Delivery): Promise<SendResult> {
    const { message } = delivery.payload as CustomerDelivery;
    // A founder's late reply to an earlier run's chat: shown, but not as this chat's.
    const ours = message.chatId === this.chat;
    const lines = [`bot${ours ? '' : ` (to your earlier chat ${message.chatId})`} › ${plain(message.text)}`];
    const buttons = message.buttons ?? [];
    if (ours && buttons.some((b) => decodeCustomerAction(b.action)?.kind === 'feedback')) {
      this.lastButtons = buttons;
      lines.push(`      ${message.buttonsPrompt ?? ''} (+ yes / - no)`.trimEnd());
    } else if (buttons.length > 0 && message.buttonsPrompt) {
      lines.push(`      ${message.buttonsPrompt}`);
    }
    this.show('customer', lines);
    return {};
  }

  /** What the founder's message did, when the notices that follow do not already say it. */
  private showOutcome(outcome: FounderOutcome, conversationId: string): void {
    switch (outcome.kind) {
      case 'note_kept':
        return this.print('(note kept: not sent to the customer)');
      case 'nothing_to_send':
        return this.print('(nothing to send)');
      case 'resolved':
        if (conversationId === this.conversationId) this.conversationId = undefined;
        return;
      case 'saved':
        return this.print(`(saved as KB article "${outcome.slug}")`);
      case 'unknown_command':
        return this.print(`(${unknownCommandText(PLAIN_MARKUP, outcome.command)})`);
      case 'customer_changed':
        return this.print(`(${customerChangeText(outcome.change)})`);
      case 'failed':
        return this.print(`(not done: ${outcome.reason})`);
      default:
        return;
    }
  }

  /** `/customer <query>`: the one profile that matches, or a line per match. */
  private async showCustomers(query: string): Promise<void> {
    const view = customerSearchView(query, query.trim() === '' ? [] : await this.options.core.founder.findCustomers(query));
    if (view.kind === 'one') return this.print(profileText(view.profile));
    if (view.kind === 'several') return this.print([view.heading, ...view.lines.map((l) => `  ${l}`)].join('\n'));
    return this.print(`(${view.text})`);
  }

  /** The core's notice view, one bracketed line per part (the customer's own text is above it). */
  private async showFounderNotice(delivery: Delivery): Promise<SendResult> {
    const notice = delivery.payload as FounderNotice;
    const lines: string[] = [];
    const heading = this.otherConversationHeading(notice);
    if (heading !== undefined) lines.push(heading);
    const view = noticeView(notice);
    switch (view.type) {
      case 'escalation': {
        const candidates = view.candidates.map((c) => `${c.title} (${c.percent})`).join(', ');
        lines.push(`[${NOTICE_WORDS.escalatedToFounder}: ${view.reason}${candidates ? `; ${NOTICE_WORDS.candidates}: ${candidates}` : ''}]`);
        lines.push(`[${NOTICE_WORDS.why}: ${view.reasonText}]`);
        if (view.customer.otherIdentities.length > 0) lines.push(`[${NOTICE_WORDS.alsoOn}: ${view.customer.otherIdentities.join(', ')}]`);
        if (view.customer.tags.length > 0) lines.push(`[${NOTICE_WORDS.tags}: ${view.customer.tags.join(', ')}]`);
        for (const note of view.customer.notes) lines.push(`[${NOTICE_WORDS.notes}: ${note}]`);
        if (view.draft !== null) {
          lines.push(`[${NOTICE_WORDS.draft}: ${view.draft}]`);
          if (view.draftSources.length > 0) lines.push(`[${NOTICE_WORDS.draftSources}: ${view.draftSources.join(', ')}]`);
          if (view.notSentBecause !== null) lines.push(`[${NOTICE_WORDS.notSentBecause}: ${view.notSentBecause}]`);
          lines.push(`[${draftHint(PLAIN_MARKUP, 'terminal')}]`);
        }
        lines.push(`[${terminalFounderHint()}]`);
        break;
      }
      case 'auto_answer':
        // The customer's line above shows the answer itself: the founder's part is where it came from.
        lines.push(`[${NOTICE_WORDS.autoAnswer}; ${NOTICE_WORDS.sources}: ${view.sources.join(', ')}]`);
        break;
      case 'customer_followup':
        lines.push(`[${NOTICE_WORDS.relayed}]`);
        break;
      case 'status':
        lines.push(`[conversation ${view.text}]`);
        break;
      case 'delivery_report':
        lines.push(view.delivered ? `[${view.text}]` : `[${view.text}: ${view.error ?? ''}]`);
        break;
      case 'attachments_not_relayed':
        lines.push(`[${view.text}${view.names.length > 1 ? ` (${view.names.join(', ')})` : ''}]`);
        break;
      case 'channel_event':
        // One line, whatever conversation the terminal is in: the link is printed for copying.
        lines.push(`[${[view.title, view.detail, view.url].filter((part) => part !== null).join(' — ')}]`);
        break;
      case 'digest':
        // The weekly digest, as `solodesk report` prints it.
        lines.push(view.text);
        break;
    }
    this.show('founder', lines);
    return {};
  }

  /**
   * `── #1 web · Ada: <question>` above a notice about another channel's conversation (whose words
   * the terminal did not show: they were typed elsewhere); undefined for the terminal's own.
   */
  private otherConversationHeading(notice: FounderNotice): string | undefined {
    if (!('conversationId' in notice)) return undefined;
    const id = notice.conversationId;
    const opens = (notice.type === 'escalation' || notice.type === 'auto_answer') && notice.customer.channel !== CONSOLE_CHANNEL;
    if (!opens && !this.others.has(id)) return undefined;
    let number = this.others.get(id);
    if (number === undefined) {
      this.otherIds.push(id);
      number = this.otherIds.length;
      this.others.set(id, number);
    }
    if (notice.type === 'escalation' || notice.type === 'auto_answer') {
      const { customer } = notice;
      const name = customer.displayName ?? customer.username ?? customer.externalUserId;
      return `── #${number} ${notice.customer.channel} · ${name}: ${plain(notice.question)}`;
    }
    if (notice.type === 'customer_followup') return `── #${number}: ${plain(notice.text)}`;
    return `── #${number}`;
  }

  /** Lines of a delivery: kept for the end of the typed line being handled, else printed now. */
  private show(side: 'customer' | 'founder', lines: string[]): void {
    if (this.turn) this.turn[side].push(lines);
    else this.printBlock(lines);
  }

  /** One delivery's lines in one write: whoever reads the terminal gets each delivery whole. */
  private printBlock(lines: string[]): void {
    if (lines.length > 0) this.options.output.write(lines.map((line) => `${line}\n`).join(''));
  }

  private print(line: string): void {
    this.options.output.write(`${line}\n`);
  }
}

/** Markdown marks the terminal would show literally. */
function plain(text: string): string {
  return text.replace(/\*\*(.+?)\*\*/g, '$1').replace(/(^|\s)\*(\S.*?)\*/g, '$1$2');
}

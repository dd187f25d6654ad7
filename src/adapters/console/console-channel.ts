import { createInterface, type Interface } from 'node:readline';
import type { PrismaClient } from '@prisma/client';
import type { CoreApi, CustomerDelivery, Delivery, FounderNotice, SendResult, Sender } from '../../core/ports.ts';
import { FOUNDER_CHANNEL } from '../../core/ports.ts';

// The terminal as a chat app: a person types as a customer and reads the bot's replies; when no
// other founder console is configured, the same person answers as the founder with /reply.
// Piped input is one message per line, and the command ends after the last reply.

export const CONSOLE_CHANNEL = 'console';

export interface ConsoleChannelOptions {
  core: CoreApi;
  prisma: PrismaClient;
  input: NodeJS.ReadableStream;
  output: NodeJS.WritableStream;
  /** The terminal is also the founder's console. */
  founderHere: boolean;
  /** Distinguishes this run's messages from earlier runs' (platform message ids). */
  sessionId: string;
  userName: string;
  /**
   * Ctrl-C while readline handles a terminal: it then arrives as readline's 'SIGINT' event
   * instead of a process signal, and without a listener readline only pauses.
   */
  onInterrupt?: () => void;
}

export class ConsoleChannel {
  readonly senders: Sender[];
  private conversationId: string | undefined;
  private lastButtons: Array<{ action: string; label: string }> = [];
  private counter = 0;
  private lines: Interface | undefined;

  constructor(private readonly options: ConsoleChannelOptions) {
    const customerSender: Sender = { channel: CONSOLE_CHANNEL, send: (d) => this.showCustomerMessage(d) };
    const founderSender: Sender = { channel: FOUNDER_CHANNEL, send: (d) => this.showFounderNotice(d) };
    this.senders = options.founderHere ? [customerSender, founderSender] : [customerSender];
  }

  /** Reads lines until the input ends; each line is handled and its replies shown before the next. */
  async run(): Promise<void> {
    const { output, founderHere } = this.options;
    const interactive = 'isTTY' in this.options.input && Boolean((this.options.input as { isTTY?: boolean }).isTTY);
    if (interactive) {
      output.write('Solodesk console — type as a customer.');
      output.write(founderHere ? ' As the founder: /reply <text>, /resolve, /save [title].\n' : '\n');
    }
    const lines = createInterface({ input: this.options.input, terminal: false });
    this.lines = lines;
    lines.on('SIGINT', () => this.options.onInterrupt?.());
    for await (const line of lines) {
      await this.handleLine(line.trim());
      await this.waitForDeliveries();
    }
  }

  /** Stops reading input: run() returns after the line in hand, and the input is let go. */
  close(): void {
    this.lines?.close();
  }

  private async handleLine(line: string): Promise<void> {
    if (!line) return;
    const { core, founderHere } = this.options;
    const command = /^\/(reply|resolve|save)\b\s*([\s\S]*)$/.exec(line);
    if (command && founderHere) {
      const conversationId = this.conversationId;
      if (!conversationId) return this.print('(no conversation yet)');
      const [, name, rest] = command;
      const founder = `console:${this.options.userName}`;
      if (name === 'reply' && rest) await core.founder.reply({ conversationId, text: rest, founder });
      if (name === 'resolve') {
        await core.founder.resolve({ conversationId, founder });
        this.conversationId = undefined;
      }
      if (name === 'save') {
        const saved = await core.founder.saveAsArticle({ conversationId, founder, ...(rest ? { title: rest } : {}), publish: true });
        this.print(`(saved as KB article "${saved.slug}")`);
      }
      return;
    }
    const rating = line === '+' ? 'fb:up:' : line === '-' ? 'fb:down:' : undefined;
    const button = rating && this.lastButtons.find((b) => b.action.startsWith(rating));
    const base = {
      channel: CONSOLE_CHANNEL,
      externalUserId: this.options.userName,
      externalChatId: this.options.userName,
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
          OR: [{ chatKey: `${CONSOLE_CHANNEL}:${this.options.userName}` }, { chatKey: { startsWith: `${FOUNDER_CHANNEL}:` } }],
        },
      });
      if (pending === 0) return;
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  }

  private async showCustomerMessage(delivery: Delivery): Promise<SendResult> {
    const { message } = delivery.payload as CustomerDelivery;
    this.print(`bot › ${plain(message.text)}`);
    const buttons = message.buttons ?? [];
    if (buttons.some((b) => b.action.startsWith('fb:'))) {
      this.lastButtons = buttons;
      this.print(`      ${message.buttonsPrompt ?? ''} (+ yes / - no)`.trimEnd());
    } else if (buttons.length > 0 && message.buttonsPrompt) {
      this.print(`      ${message.buttonsPrompt}`);
    }
    return {};
  }

  private async showFounderNotice(delivery: Delivery): Promise<SendResult> {
    const notice = delivery.payload as FounderNotice;
    switch (notice.type) {
      case 'escalation': {
        const candidates = notice.candidates.map((c) => `${c.title} (${c.confidence.toFixed(2)})`).join(', ');
        this.print(`[escalated to the founder: ${notice.reason}${candidates ? `; KB candidates: ${candidates}` : ''}]`);
        this.print('[as the founder: /reply <text>, /resolve, /save [title]]');
        break;
      }
      case 'customer_followup':
        this.print('[relayed to the founder]');
        break;
      case 'status':
        this.print(`[conversation ${notice.status}]`);
        break;
      case 'delivery_report':
        this.print(notice.delivered ? '[founder reply delivered]' : `[founder reply not delivered: ${notice.error ?? 'unknown'}]`);
        break;
      case 'attachments_not_relayed':
        this.print(`[not sent to the customer: ${notice.names.join(', ')} (files are not relayed)]`);
        break;
    }
    return {};
  }

  private print(line: string): void {
    this.options.output.write(`${line}\n`);
  }
}

/** Markdown marks the terminal would show literally. */
function plain(text: string): string {
  return text.replace(/\*\*(.+?)\*\*/g, '$1').replace(/(^|\s)\*(\S.*?)\*/g, '$1$2');
}

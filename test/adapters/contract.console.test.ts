import { PassThrough, Writable } from 'node:stream';
import { ConsoleChannel } from '../../src/adapters/console/console-channel.ts';
import { FOUNDER_CHANNEL, type CoreApi, type CustomerDelivery, type Sender } from '../../src/core/ports.ts';
import { importKbDirectory } from '../../src/kb/markdown.ts';
import { createTestDesk } from '../support/test-desk.ts';
import { runChannelContract, type ContractSession, type Received } from './contract.ts';

// The real ConsoleChannel reading piped lines (a customer typing) on a real desk with
// examples/kb; the same terminal is the founder console (`/reply <text>`), as in `solodesk chat`
// with no Slack. A terminal has no secret, no redelivery, no echo of its own output and no
// platform that can refuse a send: those checks are not registered for it.

async function start(): Promise<ContractSession> {
  const desk = await createTestDesk();
  await importKbDirectory(desk.kb, 'examples/kb', 'test');
  const prisma = desk.database.db.prisma;
  const input = new PassThrough();
  // The console writes each delivery whole, in one write, once its typed line is handled: a
  // terminal that records writes reads one block per delivery.
  const blocks: string[] = [];
  const output = new Writable({
    write(chunk: Buffer, _encoding, done) {
      blocks.push(chunk.toString('utf8'));
      done();
    },
  });

  // The console handles one line at a time (its core call, then the decision, then the
  // deliveries). Counting the core calls that finished tells settle() the terminal has taken
  // every line written so far; the core itself is the real one.
  let written = 0;
  let handled = 0;
  const counted = <A extends unknown[], R>(fn: (...args: A) => Promise<R>) => async (...args: A): Promise<R> => {
    try {
      return await fn(...args);
    } finally {
      handled += 1;
    }
  };
  // Every founder action counts (reply, note, resolve …): a /reply line makes exactly one of them.
  const founder = new Proxy(desk.core.founder, {
    get(target, key, receiver) {
      const value: unknown = Reflect.get(target, key, receiver);
      return typeof value === 'function' ? counted((value as (...args: unknown[]) => Promise<unknown>).bind(target)) : value;
    },
  });
  const core: CoreApi = {
    ...desk.core,
    handleInbound: counted(desk.core.handleInbound),
    handleAction: counted(desk.core.handleAction),
    founder,
  };

  // Which chat each customer delivery was for, in the order the terminal was asked to show them.
  const customerChats: string[] = [];
  let channel: ConsoleChannel | undefined;
  let userName: string | undefined;
  let running: Promise<void> | undefined;

  /** The real console sender, plus a record of the chat core chose for each customer delivery. */
  const recorded = (sender: Sender): Sender => ({
    channel: sender.channel,
    async send(delivery) {
      if (sender.channel !== FOUNDER_CHANNEL) customerChats.push((delivery.payload as CustomerDelivery).message.chatId);
      return sender.send(delivery);
    },
  });
  // A block of the bot's reply starts `bot ›`; a founder notice is bracketed (or `── #n` first).
  const customerBlocks = (): string[] => blocks.filter((b) => b.startsWith('bot'));
  const founderBlocks = (): string[] => blocks.filter((b) => b.startsWith('[') || b.startsWith('──')).map((b) => b.trimEnd());

  function terminalFor(customer: { id: string }): void {
    if (channel !== undefined) {
      if (customer.id !== userName) throw new Error('a terminal has one customer');
      return;
    }
    userName = customer.id;
    channel = new ConsoleChannel({ core, prisma, input, output, founderHere: true, sessionId: 'contract', userName });
    for (const sender of channel.senders) desk.core.dispatcher.registerSender(recorded(sender));
    running = channel.run();
  }

  function type(line: string): void {
    written += 1;
    input.write(`${line}\n`);
  }

  return {
    core: desk.core,
    async customerSays(text, customer) {
      terminalFor(customer);
      type(text);
      return { from: `console:${channel!.chatId}` };
    },
    async founderReplies(_conversationId, text) {
      // The terminal answers its current conversation (the one the customer just wrote in).
      type(`/reply ${text}`);
    },
    // The i-th block of the bot's is the i-th customer delivery: both keep the order of sending.
    customerReceived: (): Received[] =>
      customerBlocks().map((text, i) => ({ to: `console:${customerChats[i] ?? '?'}`, text: text.trimEnd().replace(/^bot › /, '') })),
    founderConsoleReceived: () => founderBlocks(),
    storedMessages: () =>
      prisma.message.findMany({ orderBy: { createdAt: 'asc' }, select: { conversationId: true, author: true, text: true, deliveryState: true } }),
    async settle() {
      // The loops are not started: this drains the inbox and outbox while the console waits on
      // them, until every typed line was taken and nothing more is due.
      const deadline = Date.now() + 15_000;
      for (;;) {
        const drained = await desk.drain();
        const pending = await prisma.inboundEvent.count({ where: { status: 'pending' } });
        if (handled >= written && drained === 0 && pending === 0) return;
        if (Date.now() > deadline) throw new Error(`console: ${written - handled} typed line(s) never handled`);
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    },
    async close() {
      input.end();
      if (running !== undefined) {
        // The console waits on its last line's decision and deliveries: keep draining until run() ends.
        let done = false;
        const pump = (async () => {
          while (!done) {
            await desk.drain();
            await new Promise((resolve) => setTimeout(resolve, 10));
          }
        })();
        await running.finally(() => (done = true));
        await pump;
      }
      await desk.dispose();
    },
  };
}

runChannelContract('console', {
  capabilities: {
    multipleCustomers: false,
    ownMessagesArrive: false,
    redelivery: false,
    authenticity: false,
    founderConsole: true,
    platformErrors: false,
    noticesQuoteCustomer: false,
  },
  // One bracketed line (or a few) per notice under the customer's own lines; the words are
  // core's (notice-view.ts), matched loosely.
  rendering: {
    escalation: /^\[escalated to the founder\b/,
    customerFollowup: /^\[relayed to the founder\]/,
    status: /^\[conversation resolved\b/,
    delivered: /^\[[^\]\n]*(?<!not )\bdelivered\b/,
    notDelivered: /^\[[^\]\n]*\bnot delivered\b/,
    filesNotRelayed: /^\[[^\n]*not sent to the customer/,
    // One bracketed line, the link printed for copying.
    channelEvent: /^\[[^\n]*\bscan the QR code\b[^\n]*https:\/\/[^\s\]]+\]$/,
  },

  start,
});

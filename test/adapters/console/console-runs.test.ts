import { PassThrough } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConsoleChannel } from '../../../src/adapters/console/console-channel.ts';
import type { Sender } from '../../../src/core/ports.ts';
import { importKbDirectory } from '../../../src/kb/markdown.ts';
import { createTestDesk, type TestDesk } from '../../support/test-desk.ts';
import { consoleSession } from './console-session.ts';

// The terminal's customer is the login name, for every run: a conversation an earlier run left with
// the founder must not swallow the next run's questions, `--resume` goes on with it on purpose,
// and what one typed line causes prints in a fixed order whichever delivery goes out first.

let desk: TestDesk;
beforeEach(async () => {
  desk = await createTestDesk();
  await importKbDirectory(desk.kb, 'examples/kb', 'test');
});
afterEach(async () => {
  await desk?.dispose();
});

const PASSED_ON = "bot › Thanks — I've passed your message to the founder, who will reply here.";

describe('console: one conversation per run', () => {
  it('a new run is a new conversation; --resume goes on with the last open one, and says so', async () => {
    const [escalated] = await consoleSession(desk, ['I want to talk to a human'], { sessionId: 'run-1' });
    expect(escalated).toMatch(/\[escalated to the founder: human_requested/);

    // The earlier run's conversation is still with the founder; this run's question is answered.
    const [answered, resolved] = await consoleSession(desk, ['How do I reset my password?', '/resolve'], { sessionId: 'run-2' });
    expect(answered).toMatch(/^bot › Reset your password/);
    expect(answered).not.toMatch(/relayed to the founder/);
    expect(resolved).toMatch(/\[conversation resolved\]/);

    // The last open conversation is run 1's: the follow-up reaches the founder and is acknowledged.
    const [followup] = await consoleSession(desk, ['It is about my invoice.'], { sessionId: 'run-3', resume: true });
    expect(followup).toBe(`${PASSED_ON}\n[relayed to the founder]\n`);

    const conversations = await desk.database.db.prisma.conversation.findMany({ orderBy: { createdAt: 'asc' }, select: { status: true, externalChatId: true } });
    expect(conversations).toEqual([
      { status: 'escalated', externalChatId: 'grace:run-1' },
      { status: 'resolved', externalChatId: 'grace:run-2' },
    ]);
  });

  it('--resume with nothing open says so and starts a new conversation', async () => {
    const run: { resume: boolean; sessionId: string; opening?: string } = { resume: true, sessionId: 'run-1' };
    const [answered] = await consoleSession(desk, ['How do I reset my password?'], run);
    expect(run.opening).toBe('(no open conversation to resume: this is a new one)\n');
    expect(answered).toMatch(/^bot › Reset your password/);
  });

  it('--resume names the conversation it goes on with', async () => {
    await consoleSession(desk, ['I want to talk to a human', 'It is about my invoice.'], { sessionId: 'run-1' });
    const run: { resume: boolean; sessionId: string; opening?: string } = { resume: true, sessionId: 'run-2' };
    await consoleSession(desk, ['hello again'], run);
    expect(run.opening).toBe('(resuming your escalated conversation, where you last wrote: It is about my invoice.)\n');
  });
});

describe('console: the order of what one line prints', () => {
  it("prints the customer's side before the founder's notices, even when the notice is sent first", async () => {
    const input = new PassThrough();
    const output = new PassThrough();
    let printed = '';
    output.on('data', (chunk: Buffer) => (printed += chunk.toString('utf8')));
    const channel = new ConsoleChannel({ core: desk.core, prisma: desk.database.db.prisma, input, output, founderHere: true, sessionId: 's1', userName: 'grace' });
    // The dispatcher sends the two chats' rows side by side; here the founder's always goes out first.
    const [customerSender, founderSender] = channel.senders as [Sender, Sender];
    let founderSent!: () => void;
    const founderFirst = new Promise<void>((resolve) => (founderSent = resolve));
    desk.core.dispatcher.registerSender({ channel: customerSender.channel, send: async (d) => (await founderFirst, customerSender.send(d)) });
    desk.core.dispatcher.registerSender({
      channel: founderSender.channel,
      send: async (d) => {
        const result = await founderSender.send(d);
        founderSent();
        return result;
      },
    });
    desk.core.processor.start();
    desk.core.dispatcher.start();
    const running = channel.run();
    input.end('I want to talk to a human\n');
    await running;
    await desk.core.processor.stop();
    await desk.core.dispatcher.stop();

    const lines = printed.split('\n');
    expect(lines[0]).toBe(PASSED_ON);
    expect(lines[1]).toMatch(/^\[escalated to the founder: human_requested/);
  });
});

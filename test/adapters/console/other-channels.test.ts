import { PassThrough } from 'node:stream';
import { afterEach, expect, it } from 'vitest';
import { ConsoleChannel } from '../../../src/adapters/console/console-channel.ts';
import { importKbDirectory } from '../../../src/kb/markdown.ts';
import { createTestDesk, RecordingSender, type TestDesk } from '../../support/test-desk.ts';

// The terminal as the founder console of `solodesk start` with no chat app: a web visitor's
// question reaches it with a short number, and `/reply #1 …` answers that visitor, not the
// terminal's own customer.

let desk: TestDesk;
afterEach(async () => {
  await desk?.core.processor.stop();
  await desk?.core.dispatcher.stop();
  await desk?.dispose();
});

/** Resolves once the terminal has printed something matching `pattern` (the desk runs on its own loops). */
async function printed(read: () => string, pattern: RegExp): Promise<string> {
  const deadline = Date.now() + 15_000;
  while (!pattern.test(read())) {
    if (Date.now() > deadline) throw new Error(`the terminal never printed ${pattern}:\n${read()}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return read();
}

it("shows another channel's question with a number and answers it with /reply #n", async () => {
  const web = new RecordingSender('web');
  desk = await createTestDesk({ senders: [web] });
  await importKbDirectory(desk.kb, 'examples/kb', 'test');
  await desk.kb.sync(true);
  const input = new PassThrough();
  const output = new PassThrough();
  let text = '';
  output.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
  const channel = new ConsoleChannel({ core: desk.core, prisma: desk.database.db.prisma, input, output, founderHere: true, sessionId: 's1', userName: 'grace' });
  for (const sender of channel.senders) desk.core.dispatcher.registerSender(sender);
  desk.core.processor.start();
  desk.core.dispatcher.start();
  const running = channel.run();

  await desk.core.handleInbound({ channel: 'web', externalUserId: 'anon:ada', externalChatId: 'anon:ada', platformMessageId: 'anon:ada/m1', text: 'Can I pay with seashells?', sender: { displayName: 'Ada' } });
  await printed(() => text, /── #1 web · Ada: Can I pay with seashells\?/);
  input.write('/reply #1 Only cowries, on Tuesdays.\n');
  await printed(() => text, /delivered/i);
  expect(web.texts()).toContain('Only cowries, on Tuesdays.');
  // A number nobody was given is said so, and sends nothing.
  input.write('/reply #7 hello?\n');
  await printed(() => text, /\(no conversation #7\)/);
  // Without a number, and with no conversation of its own, the terminal answers the latest other one.
  input.write('/reply And conch shells too.\n');
  await printed(() => text, /delivered[\s\S]*delivered/i);
  expect(web.texts()).toEqual(expect.arrayContaining(['Only cowries, on Tuesdays.', 'And conch shells too.']));
  input.end();
  await running;
});

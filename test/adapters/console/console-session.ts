import { PassThrough } from 'node:stream';
import { ConsoleChannel } from '../../../src/adapters/console/console-channel.ts';
import type { TestDesk } from '../../support/test-desk.ts';

// The real ConsoleChannel reading piped lines over a test desk whose dispatcher runs; it is also
// the founder console, so founder notices appear in the same terminal.

/**
 * Types `lines` into a console session and returns, per line, what the terminal printed for it.
 * Each call is a run of its own (`chat` started again) unless it names the same `sessionId`; what a
 * run printed before its first line (`--resume`'s line) is `run.opening`.
 */
export async function consoleSession(
  desk: TestDesk,
  lines: string[],
  run: { sessionId?: string; resume?: boolean; opening?: string } = {},
): Promise<string[]> {
  const input = new PassThrough();
  const output = new PassThrough();
  let printed = '';
  output.on('data', (chunk: Buffer) => (printed += chunk.toString('utf8')));
  const channel = new ConsoleChannel({
    core: desk.core,
    prisma: desk.database.db.prisma,
    input,
    output,
    founderHere: true,
    sessionId: run.sessionId ?? 'test-session',
    userName: 'grace',
    ...(run.resume ? { resume: true } : {}),
  });
  for (const sender of channel.senders) desk.core.dispatcher.registerSender(sender);
  desk.core.processor.start();
  desk.core.dispatcher.start();
  // One line at a time, so each line's output can be told apart.
  const transcript: string[] = [];
  const running = channel.run();
  // The opening is printed before the first line is read; the first line's output follows it.
  if (run.resume) await settled(desk, () => printed, 'the opening');
  run.opening = printed;
  for (const line of lines) {
    const mark = printed.length;
    input.write(`${line}\n`);
    transcript.push(await settled(desk, () => printed.slice(mark), line));
  }
  input.end();
  await running;
  await desk.core.processor.stop();
  await desk.core.dispatcher.stop();
  return transcript;
}

/**
 * Waits until the outbox holds nothing undelivered, then returns what was printed.
 * (The ConsoleChannel handles a line and waits for its deliveries itself; this only tells the
 * test when that has happened.)
 */
async function settled(desk: TestDesk, read: () => string, line: string): Promise<string> {
  // Only a guard against a hang: a line that drafts with the LLM on a busy machine takes seconds.
  const deadline = Date.now() + 40_000;
  for (;;) {
    const printed = read();
    // Each line prints something; one handled line's deliveries are enqueued together.
    const prisma = desk.database.db.prisma;
    const undecided = await prisma.inboundEvent.count({ where: { status: 'pending' } });
    if (printed !== '' && undecided === 0 && (await prisma.outbox.count({ where: { status: 'pending' } })) === 0) return printed;
    if (Date.now() > deadline) throw new Error(`no output for "${line}"`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}


import { PassThrough } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConsoleChannel } from '../../../src/adapters/console/console-channel.ts';
import { importKbDirectory } from '../../../src/kb/markdown.ts';
import { createTestDesk, type TestDesk } from '../../support/test-desk.ts';
import { consoleSession } from './console-session.ts';

// The console (and WeChat-style) "did you mean" list: numbered, answered by typing a number.
// The real ConsoleChannel reads piped lines over a test desk whose dispatcher runs, and is also
// the founder console, so founder notices appear in the same terminal.

let desk: TestDesk;
beforeEach(async () => {
  desk = await createTestDesk({ thresholds: { answer: 1.01, suggest: 0.0001 } });
  await importKbDirectory(desk.kb, 'examples/kb', 'test');
});
afterEach(async () => {
  await desk.dispose();
});

const session = (lines: string[]) => consoleSession(desk, lines);

describe('console: the numbered "did you mean" list', () => {
  it('shows a numbered list; "2" sends article 2; "0" and a free-text reply escalate with the suggestions', async () => {
    const [list, picked, secondList, none, , thirdList, freeText] = await session([
      'my password does not work anymore',
      '2',
      'can I get my money back',
      '0',
      '/resolve',
      'export to csv please',
      'no, I mean something else entirely',
    ]);

    expect(list).toMatch(/^bot › Did you mean one of these\?\n1\. Reset your password\n2\. (.+)\n/);
    expect(list).toMatch(/\n0\. None of these — talk to the founder\n\s+Reply with the number of the article, or 0 to talk to the founder\.\n$/);
    const second = /\n2\. (.+)\n/.exec(list!)![1]!;
    expect(picked).toMatch(new RegExp(`^bot › ${second.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\n`));
    expect(picked).not.toMatch(/Reset your password/);
    expect(picked).toMatch(/\(\+ yes \/ - no\)/);

    expect(secondList).toMatch(/^bot › Did you mean one of these\?\n1\. Refunds\n/);
    const offered = [...secondList!.matchAll(/^([1-3])\. (.+)$/gm)].map((m) => m[2]!);
    expect(offered.length).toBeGreaterThanOrEqual(1);
    expect(none).toMatch(/bot › .*founder/i);
    expect(none).toMatch(/\[escalated to the founder: no_suggestion_fit; KB candidates: /);
    for (const title of offered) expect(none).toContain(`${title} (`);
    expect(none).not.toMatch(/bot › Refunds/);

    expect(thirdList).toMatch(/^bot › Did you mean one of these\?\n1\. /);
    const thirdOffered = [...thirdList!.matchAll(/^([1-3])\. (.+)$/gm)].map((m) => m[2]!);
    expect(freeText).toMatch(/\[escalated to the founder: no_suggestion_fit; KB candidates: /);
    for (const title of thirdOffered) expect(freeText).toContain(`${title} (`);

    const escalations = await desk.database.db.prisma.conversation.findMany({ where: { status: 'escalated' } });
    expect(escalations).toHaveLength(1);
  });
});

describe('console: stopping', () => {
  it('close() ends run() while the terminal is still open, and lets go of the input', async () => {
    const input = new PassThrough();
    const channel = new ConsoleChannel({
      core: desk.core,
      prisma: desk.database.db.prisma,
      input,
      output: new PassThrough(),
      founderHere: true,
      sessionId: 'stop-session',
      userName: 'ada',
    });
    let ended = false;
    const running = channel.run().then(() => (ended = true));
    await new Promise((resolve) => setImmediate(resolve));
    expect(ended).toBe(false);
    expect(input.isPaused()).toBe(false);

    channel.close();
    await running;
    expect(ended).toBe(true);
    // Nothing reads the terminal any more: a paused input no longer keeps the process alive.
    expect(input.isPaused()).toBe(true);
  });
});

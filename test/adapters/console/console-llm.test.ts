import { afterEach, describe, expect, it } from 'vitest';
import { importKbDirectory } from '../../../src/kb/markdown.ts';
import { draftJson, startDrafterHarness, type DrafterHarness } from '../../llm/drafter-harness.ts';
import { createTestDesk, type TestDesk } from '../../support/test-desk.ts';
import { consoleSession } from './console-session.ts';

// The terminal with an LLM (LLM_MODE=auto): an auto answer is labelled for the founder with its
// sources, a draft is shown with how to send it, and /send sends it. The real drafter talks to the
// fake OpenAI server; the model here answers with the first sentence of the first article it gets.

let desk: TestDesk;
let llm: DrafterHarness;
afterEach(async () => {
  await desk?.dispose();
  await llm?.close();
});

describe('console with an LLM', () => {
  it('shows an auto answer with its sources, a draft with why it waits, and /send sends the draft', async () => {
    llm = await startDrafterHarness();
    llm.ai.reply((request) => {
      const user = String(request.messages.at(-1)?.content ?? '');
      const [, id, body] = /<article id="([^"]+)">\n<title>[^<]*<\/title>\n([^\n]*)/.exec(user) ?? [];
      return draftJson(/^[^.]*\./.exec(body ?? '')?.[0] ?? 'See the article.', id ? [id] : []);
    });
    desk = await createTestDesk({ drafter: llm.drafter, settings: { llmMode: 'auto' }, thresholds: { answer: 1.01, suggest: 1.01 } });
    await importKbDirectory(desk.kb, 'examples/kb', 'test');

    const [auto, human, sent] = await consoleSession(desk, [
      'can I get my data out as a spreadsheet?',
      'I want to talk to a human about my invoice',
      '/send',
    ]);

    // Two senders, whichever goes out first: the terminal prints the customer's line, then the founder's.
    expect(auto).toMatch(/^bot › Open Settings → Data → Export and pick CSV or JSON\.\n.*\(\+ yes \/ - no\)\n\[Answered by the LLM \(auto\); From the articles: .+ \(.+\)\]\n$/);
    expect(human).toMatch(/\[escalated to the founder: human_requested; /);
    const draft = /\[Draft answer: (.+)\]/.exec(human!)?.[1];
    expect(draft).toBeDefined();
    expect(human).toContain('[Not sent by itself because: the customer asked for a person]');
    expect(human).toContain('[/send sends this draft as your reply; or /reply your own text.]');
    expect(sent).toContain(`bot › ${draft!.replace(/\*\*/g, '')}`);
  });
});

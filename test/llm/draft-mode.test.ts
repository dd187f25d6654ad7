import { afterEach, describe, expect, it } from 'vitest';
import type { FounderNotice } from '../../src/core/ports.ts';
import { importKbDirectory } from '../../src/kb/markdown.ts';
import { createTestDesk, RecordingSender, type TestDesk } from '../support/test-desk.ts';
import { draftJson, startDrafterHarness, type DrafterHarness } from './drafter-harness.ts';

// LLM_MODE=draft through the real pipeline: a question the KB will not answer by itself reaches
// the founder with a draft made from its best articles (by the real drafter, against the fake
// OpenAI server); when the LLM fails, the founder gets the question as before, without one.

let llm: DrafterHarness;
let desk: TestDesk;

afterEach(async () => {
  await desk?.dispose();
  await llm?.close();
});

async function deskWithDrafter(): Promise<{ founder: RecordingSender }> {
  llm = await startDrafterHarness();
  const founder = new RecordingSender('founder');
  desk = await createTestDesk({ senders: [founder, new RecordingSender('test')], drafter: llm.drafter });
  await importKbDirectory(desk.kb, 'examples/kb', 'test');
  return { founder };
}

const escalationOf = (notices: FounderNotice[]) => notices.find((n): n is Extract<FounderNotice, { type: 'escalation' }> => n.type === 'escalation');

describe('LLM_MODE=draft', () => {
  it('attaches a draft from the KB\'s best articles to the escalation, and the customer text reaches the model only as data', async () => {
    const { founder } = await deskWithDrafter();
    llm.ai.reply((request) => {
      // The articles the pipeline gave the drafter are in the request: cite the first one.
      const user = String(request.messages.at(-1)?.content ?? '');
      const id = /<article id="([^"]+)"/.exec(user)?.[1] ?? 'none';
      return draftJson('You can reset your password from the sign-in page.', [id]);
    });
    await desk.decided(await desk.core.handleInbound({
      channel: 'test', externalUserId: 'u1', externalChatId: 'c1', platformMessageId: 'm1',
      text: 'I want to talk to a human about my password',
    }));
    await desk.drain();
    const escalation = escalationOf(founder.notices());
    expect(escalation?.draft).toBe('You can reset your password from the sign-in page.');
    const requests = llm.ai.chatRequests();
    expect(requests).toHaveLength(1);
    expect(String(requests[0]!.messages[0]!.content)).not.toContain('talk to a human');
  });

  it('escalates without a draft when the LLM fails, as if there were none', async () => {
    const { founder } = await deskWithDrafter();
    llm.ai.failNext({ status: 500 }, 2);
    await desk.decided(await desk.core.handleInbound({
      channel: 'test', externalUserId: 'u2', externalChatId: 'c2', platformMessageId: 'm2', text: 'I want to talk to a human about my password',
    }));
    await desk.drain();
    // The drafter was asked (and failed twice: the first try and its one retry)…
    expect(llm.ai.calls.filter((c) => c.path.endsWith('/chat/completions')).map((c) => c.status)).toEqual([500, 500]);
    // …and the founder got the question all the same, without a draft.
    const escalation = escalationOf(founder.notices());
    expect(escalation).toMatchObject({ reason: 'human_requested' });
    expect(escalation!.draft).toBeUndefined();
  });
});

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ACTION } from '../../../src/adapters/slack/blocks.ts';
import { importKbDirectory } from '../../../src/kb/markdown.ts';
import { eventCallbackBody, interactivityBody } from '../../fakes/slack-signing.ts';
import type { PostedSlackMessage } from '../../fakes/slack-web-api.ts';
import { channelMessageEvent } from '../../fixtures/slack/events.ts';
import { blockActionsPayload } from '../../fixtures/slack/interactions.ts';
import { nextTs, postedTo, startSlackHarness, type SlackHarness } from './harness.ts';

// "Did you mean …?" through the real Bolt app, signed requests and the fake Slack Web API. The
// KB is set to suggest rather than answer, so every question with a plausible article gets a list.

type Any = Record<string, unknown>;
type SlackButton = { action_id: string; value: string; text: { text: string } };

let h: SlackHarness;
let seq = 0;
beforeEach(async () => {
  h = await startSlackHarness({}, { desk: { thresholds: { answer: 1.01, suggest: 0.0001 } } });
  await importKbDirectory(h.desk.kb, 'examples/kb', 'test');
});
afterEach(async () => {
  await h.close();
});

const buttonsOf = (m: PostedSlackMessage): SlackButton[] =>
  ((m.blocks as Any[] | undefined) ?? []).filter((b) => b.type === 'actions').flatMap((b) => b.elements as SlackButton[]);

/** A customer's top-level message in a channel; returns its ts (the thread replies go to) and what the app posted. */
async function ask(channel: string, user: string, text: string): Promise<{ ts: string; list: PostedSlackMessage }> {
  const before = postedTo(h.fake, channel).length;
  const ts = nextTs();
  const event = channelMessageEvent({ text, user, channel, ts });
  expect((await h.post(eventCallbackBody({ eventId: `EvSuggest${++seq}`, event }))).status).toBe(200);
  await h.drain();
  const list = postedTo(h.fake, channel).slice(before).find((m) => buttonsOf(m).length > 0);
  expect(list, `a list for "${text}"`).toBeDefined();
  return { ts, list: list! };
}

/** The customer presses a button of `message` (a signed block_actions request). */
async function press(channel: string, user: string, message: PostedSlackMessage, button: SlackButton, threadTs: string): Promise<PostedSlackMessage[]> {
  const before = postedTo(h.fake, channel).length;
  const payload = blockActionsPayload({ actionId: button.action_id, value: button.value, userId: user, channelId: channel, messageTs: message.ts, threadTs });
  (payload.message as Any).blocks = message.blocks;
  expect((await h.post(interactivityBody(payload))).status).toBe(200);
  await h.drain();
  return postedTo(h.fake, channel).slice(before);
}

describe('Slack: "did you mean …?"', () => {
  it('posts the list with Block Kit buttons; a pick posts the article in the thread; "none of these" escalates with the suggestions as KB candidates', async () => {
    const { ts, list } = await ask('CSHARED', 'UALICE', 'my password does not work anymore');
    expect(list.thread_ts).toBe(ts);
    expect(list.text).toMatch(/^Did you mean one of these\?\n1\. Reset your password\n/);
    const buttons = buttonsOf(list);
    expect(buttons.length).toBeGreaterThanOrEqual(2);
    expect(buttons.length).toBeLessThanOrEqual(4);
    expect(buttons.every((b) => b.action_id.startsWith(ACTION.customerPrefix))).toBe(true);
    const offerId = /^pick:([0-9a-f]{10}):1$/.exec(buttons[0]!.value)?.[1];
    expect(offerId).toBeDefined();
    expect(buttons.map((b) => b.value)).toEqual(buttons.map((_, i) => `pick:${offerId}:${i === buttons.length - 1 ? 0 : i + 1}`));
    expect(buttons[0]!.text.text).toBe('Reset your password');
    expect(buttons.at(-1)!.text.text).toBe('None of these — talk to the founder');

    const afterPick = await press('CSHARED', 'UALICE', list, buttons[0]!, ts);
    const article = afterPick.find((m) => /Reset your password/.test(m.text ?? ''));
    expect(article).toBeDefined();
    expect(article!.thread_ts).toBe(ts);
    expect(buttonsOf(article!).map((b) => b.text.text)).toEqual(['👍', '👎']);
    expect(h.roots()).toHaveLength(0);

    // A customer in another channel: none of these fit.
    const bob = await ask('CBOB', 'UBOB', 'can I get my money back');
    const titles = buttonsOf(bob.list).slice(0, -1).map((b) => b.text.text);
    expect(titles[0]).toBe('Refunds');
    const afterNone = await press('CBOB', 'UBOB', bob.list, buttonsOf(bob.list).at(-1)!, bob.ts);
    expect(afterNone.some((m) => /founder/i.test(m.text ?? ''))).toBe(true);
    expect(afterNone.some((m) => (m.text ?? '').startsWith('*Refunds*'))).toBe(false);
    const [root] = h.roots();
    expect(root).toBeDefined();
    const shown = JSON.stringify(root!.blocks);
    expect(shown).toContain('none of the suggested articles fit');
    expect(shown).toContain('can I get my money back');
    const candidates = ((root!.blocks as Any[]).map((b) => (b.text as { text?: string } | undefined)?.text ?? '')).find((t) => t.startsWith('*KB candidates*'));
    expect(candidates).toBeDefined();
    for (const title of titles) expect(candidates).toContain(title);
    expect(candidates).toContain('`refund-policy`');
  });

  it('a button of a list the conversation has moved on from is answered "no longer current", not applied', async () => {
    const old = await ask('CCAROL', 'UCAROL', 'my password does not work anymore');
    // A free-text message is not a pick: the list did not fit, the founder takes over.
    await h.post(eventCallbackBody({ eventId: `EvSuggest${++seq}`, event: channelMessageEvent({ text: 'how much does the pro plan cost', user: 'UCAROL', channel: 'CCAROL', ts: nextTs() }) }));
    await h.drain();
    expect(h.roots()).toHaveLength(1);

    const afterPress = await press('CCAROL', 'UCAROL', old.list, buttonsOf(old.list)[0]!, old.ts);
    expect(afterPress.map((m) => m.text)).toEqual([expect.stringMatching(/no longer current/)]);
    expect(afterPress[0]!.thread_ts).toBe(old.ts);
    expect(await h.desk.database.db.prisma.message.count({ where: { author: 'bot', articleId: { not: null } } })).toBe(0);
  });
});

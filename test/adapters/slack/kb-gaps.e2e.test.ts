import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KB_GAP_ACTION, KB_MODAL_CALLBACK } from '../../../src/adapters/slack/kb-views.ts';
import { blockActionsBody } from '../../fakes/slack-signing.ts';
import { FOUNDER, FOUNDER_CHANNEL, startSlackHarness, type SlackHarness } from './harness.ts';

// `/kb gaps` in Slack, through Bolt and the fake Web API: customers' DMs the empty KB cannot
// answer are escalated, the founder lists the gaps, presses "Write article", saves the form, and
// the group's questions are the new article's example questions — no longer gaps.

type Any = Record<string, unknown>;
const input = (value: string) => ({ value: { type: 'plain_text_input', value } });
const select = (value: string) => ({ value: { type: 'static_select', selected_option: { value } } });

const INVOICE = ['Can you send me a VAT invoice?', 'How do I get an invoice with VAT for my company?', 'Where can I download my invoices?'];
const DARK = ['Is dark mode available?', 'Can I switch the app to a dark theme?'];

let h: SlackHarness;
beforeAll(async () => {
  h = await startSlackHarness();
  // one customer each: a second question in an escalated conversation goes to its thread, not to the gaps
  const questions = [INVOICE[0], DARK[0], INVOICE[1], 'Do you have an office in Berlin?', DARK[1], INVOICE[2]] as string[];
  for (const [i, text] of questions.entries()) {
    // asked now: gaps are counted by when the customer asked (the last 30 days)
    const ts = `${Math.floor(Date.now() / 1000)}.${String(i).padStart(6, '0')}`;
    const { status } = await h.customerDm(text, { user: `UCUST${i}`, channel: `D${i}`, ts });
    expect(status).toBe(200);
  }
  await h.drain();
}, 60_000);
afterAll(async () => {
  await h?.close();
});

async function gaps(): Promise<Any[]> {
  const res = await h.command({ command: '/kb', text: 'gaps', channelId: FOUNDER_CHANNEL });
  expect(res.status).toBe(200);
  expect(res.json.response_type).toBe('ephemeral');
  return (res.json as { blocks?: Any[] }).blocks ?? [];
}

const groupSections = (blocks: Any[]) => blocks.filter((b) => (b.accessory as Any | undefined)?.action_id === KB_GAP_ACTION);
const textOf = (block: Any) => String((block.text as Any).text);

describe('/kb gaps in Slack', () => {
  it('lists the groups biggest first, each with its size, questions and a "Write article" button', async () => {
    const blocks = await gaps();
    expect(textOf(blocks[0]!)).toBe('*Questions no article answered (last 30 days): 3 groups, 6 questions*');
    const sections = groupSections(blocks);
    expect(sections.map((s) => textOf(s).split('\n')[0])).toEqual(['*1. 3 questions*', '*2. 2 questions*', '*3. 1 question*']);
    const first = textOf(sections[0]!).split('\n').slice(1).map((l) => l.replace(/^• /, '')).sort();
    expect(first).toEqual([...INVOICE].sort());
    expect(textOf(sections[1]!)).toContain('dark');
    for (const s of sections) {
      const button = s.accessory as Any;
      expect((button.text as Any).text).toBe('Write article');
      expect(String(button.value).length).toBeLessThanOrEqual(2000);
    }
  });

  it('"Write article" opens the article form prefilled; saving it makes the questions example questions', async () => {
    const [invoices] = groupSections(await gaps());
    const button = invoices!.accessory as Any;
    const press = await h.post(blockActionsBody({ actionId: KB_GAP_ACTION, value: String(button.value), userId: FOUNDER, channelId: FOUNDER_CHANNEL, messageTs: '1767300000.000001' }));
    expect(press.status).toBe(200);

    const opened = h.fake.callsOf('views.open').at(-1)?.payload.view as Any;
    expect(opened).toMatchObject({ type: 'modal', callback_id: KB_MODAL_CALLBACK });
    const initial = (id: string) => ((opened.blocks as Any[]).find((b) => b.block_id === id)?.element as Any).initial_value as string;
    const prefilled = initial('questions').split('\n');
    expect([...prefilled].sort()).toEqual([...INVOICE].sort());
    expect(initial('title')).toBe(prefilled[0]);

    const saved = await h.submitView({
      callbackId: KB_MODAL_CALLBACK,
      privateMetadata: String(opened.private_metadata),
      values: {
        title: input('Invoices with VAT'),
        body: input('Open **Settings → Billing → Invoices**: every invoice shows VAT and can be downloaded as PDF.'),
        questions: input(initial('questions')),
        tags: input('billing'),
        status: select('published'),
      },
    });
    expect(saved.status).toBe(200);
    const article = (await h.desk.kb.list()).find((a) => a.title === 'Invoices with VAT');
    expect([...(article?.questions ?? [])].sort()).toEqual([...INVOICE].sort());

    // the invoice questions are answered now: two groups left
    const after = groupSections(await gaps());
    expect(after.map((s) => textOf(s).split('\n')[0])).toEqual(['*1. 2 questions*', '*2. 1 question*']);
  });

  it('refuses the button to someone who is not a founder, and opens nothing', async () => {
    const [first] = groupSections(await gaps());
    const before = h.fake.callsOf('views.open').length;
    const press = await h.post(blockActionsBody({ actionId: KB_GAP_ACTION, value: String((first!.accessory as Any).value), userId: 'USTRANGER', channelId: FOUNDER_CHANNEL, messageTs: '1767300000.000002' }));
    expect(press.status).toBe(200);
    expect(h.fake.callsOf('views.open')).toHaveLength(before);
  });
});

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { KB_MODAL_CALLBACK, KB_SHORTCUT_CALLBACK } from '../../../src/adapters/slack/kb-views.ts';
import { messageActionBody } from '../../fakes/slack-signing.ts';
import { FOUNDER, FOUNDER_CHANNEL, startSlackHarness, type SlackHarness } from './harness.ts';

let h: SlackHarness;
beforeEach(async () => {
  h = await startSlackHarness();
});
afterEach(async () => {
  await h.close();
});

type Any = Record<string, unknown>;
const input = (value: string) => ({ value: { type: 'plain_text_input', value } });
const select = (value: string) => ({ value: { type: 'static_select', selected_option: { value } } });

/** The initial values of the modal the app opened, as a submission would carry them back. */
function valuesOf(view: Any): Record<string, Record<string, Record<string, unknown>>> {
  const values: Record<string, Record<string, Record<string, unknown>>> = {};
  for (const block of view.blocks as Any[]) {
    const element = block.element as Any;
    const id = String(block.block_id);
    values[id] = element.type === 'static_select'
      ? select(String((element.initial_option as Any).value))
      : input(String(element.initial_value ?? ''));
  }
  return values;
}

describe('/kb is for founders only', () => {
  it.each(['list', 'add', 'archive some-article', 'search refund'])('/kb %s from someone else is politely refused', async (text) => {
    await h.desk.kb.create({ title: 'Some article', body: 'Body', slug: 'some-article', status: 'published' }, 'test');
    const res = await h.command({ command: '/kb', text, userId: 'USTRANGER' });
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({ response_type: 'ephemeral', text: expect.stringContaining('only for the founders') });
    expect(h.fake.callsOf('views.open')).toEqual([]);
    expect((await h.desk.kb.getBySlug('some-article'))?.status).toBe('published');
  });

  it('a modal submission from someone else is refused and saves nothing', async () => {
    const res = await h.submitView({
      callbackId: KB_MODAL_CALLBACK, userId: 'USTRANGER', privateMetadata: JSON.stringify({ mode: 'add' }),
      values: { title: input('Sneaky'), body: input('Sneaky body'), status: select('published') },
    });
    expect(res.status).toBe(200);
    expect(JSON.parse(res.text)).toMatchObject({ response_action: 'errors' });
    expect(await h.desk.kb.list()).toEqual([]);
  });
});

describe('/kb add through the modal', () => {
  it('opens the form, and its submission creates a searchable article with a revision and an audit row', async () => {
    const res = await h.command({ command: '/kb', text: 'add', channelId: FOUNDER_CHANNEL });
    expect(res.status).toBe(200);
    const opened = h.fake.callsOf('views.open').at(-1)?.payload.view as Any;
    expect(opened).toMatchObject({ type: 'modal', callback_id: KB_MODAL_CALLBACK });
    expect((opened.blocks as Any[]).map((b) => b.block_id)).toEqual(['title', 'body', 'questions', 'tags', 'status']);

    const submitted = await h.submitView({
      callbackId: KB_MODAL_CALLBACK,
      privateMetadata: String(opened.private_metadata),
      values: {
        title: input('Change the billing email'),
        body: input('Open **Settings → Billing** and edit *Billing email*. Invoices go there from the next one on.'),
        questions: input('How do I change my billing email?\nInvoices go to the wrong address'),
        tags: input('Billing, account'),
        status: select('published'),
      },
    });
    expect(submitted.status).toBe(200);
    expect(submitted.text).toBe('');

    const [article] = await h.desk.kb.list();
    expect(article).toMatchObject({
      title: 'Change the billing email', status: 'published', tags: ['billing', 'account'],
      questions: ['How do I change my billing email?', 'Invoices go to the wrong address'], author: `slack:${FOUNDER}`,
    });
    const search = await h.command({ command: '/kb', text: 'search how can I change the billing email address' });
    expect(search.json.text).toContain(`\`${article!.slug}\``);
    const decided = await h.desk.kb.decide('how do I change my billing email');
    expect(decided.ranked[0]?.article.slug).toBe(article!.slug);
    expect(await h.desk.kb.history(article!.slug)).toHaveLength(1);
    expect(await h.desk.database.db.prisma.auditLog.count({ where: { actor: `slack:${FOUNDER}` } })).toBeGreaterThan(0);
    await h.fake.waitFor((c) => c.method === 'chat.postEphemeral' && String(c.payload.text).includes(article!.slug));
  });

  it('a submission without a title is sent back with the error on the field', async () => {
    const res = await h.submitView({ callbackId: KB_MODAL_CALLBACK, privateMetadata: '{"mode":"add"}', values: { title: input(' '), body: input('x'), status: select('draft') } });
    expect(JSON.parse(res.text)).toEqual({ response_action: 'errors', errors: { title: 'A title is needed.' } });
    expect(await h.desk.kb.list()).toEqual([]);
  });
});

describe('/kb show, list, edit, archive, history', () => {
  it('work on the real KB', async () => {
    const created = await h.desk.kb.create({ title: 'Refunds', body: 'Within 30 days.', questions: ['Can I get a refund?'], tags: ['billing'], status: 'published' }, 'test');
    expect((await h.command({ command: '/kb', text: `show ${created.slug}` })).json.text).toContain('Within 30 days.');
    expect((await h.command({ command: '/kb', text: 'list billing' })).json.text).toContain(`\`${created.slug}\``);
    expect((await h.command({ command: '/kb', text: 'show nope' })).json.text).toContain('No article');

    await h.command({ command: '/kb', text: `edit ${created.slug}` });
    const opened = h.fake.callsOf('views.open').at(-1)?.payload.view as Any;
    const values = valuesOf(opened);
    expect(values.body).toEqual(input('Within 30 days.'));
    values.body = input('Within 60 days, no questions asked.');
    expect((await h.submitView({ callbackId: KB_MODAL_CALLBACK, privateMetadata: String(opened.private_metadata), values })).status).toBe(200);
    expect(await h.desk.kb.getBySlug(created.slug)).toMatchObject({ body: 'Within 60 days, no questions asked.', version: 2 });

    expect((await h.command({ command: '/kb', text: `archive ${created.slug}` })).json.text).toContain('Archived');
    expect((await h.desk.kb.getBySlug(created.slug))?.status).toBe('archived');
    const history = (await h.command({ command: '/kb', text: `history ${created.slug}` })).json.text ?? '';
    expect(history).toContain('v3');
    expect(history).toContain('slack:UFOUNDER');
  });
});

describe('"Save as KB article" message shortcut', () => {
  it('opens the form prefilled with the customer\'s question and the founder\'s reply; saving creates the article', async () => {
    await h.customerDm('Can I pay by bank transfer instead of card?');
    await h.drain();
    const root = h.roots().at(-1)!;
    const reply = await h.founderReply(root.ts, 'Yes: pick *Bank transfer* at checkout, we send the IBAN by email.');
    await h.drain();

    const res = await h.post(messageActionBody({
      callbackId: KB_SHORTCUT_CALLBACK, messageTs: reply.ts, threadTs: root.ts, channelId: FOUNDER_CHANNEL,
      messageText: 'Yes: pick *Bank transfer* at checkout, we send the IBAN by email.', messageUser: FOUNDER,
    }));
    expect(res.status).toBe(200);
    const opened = h.fake.callsOf('views.open').at(-1)?.payload.view as Any;
    expect(opened.callback_id).toBe(KB_MODAL_CALLBACK);
    const values = valuesOf(opened);
    expect(values.title).toEqual(input('Can I pay by bank transfer instead of card?'));
    expect(values.body).toEqual(input('Yes: pick *Bank transfer* at checkout, we send the IBAN by email.'));
    expect(values.questions).toEqual(input('Can I pay by bank transfer instead of card?'));

    values.status = select('published');
    expect((await h.submitView({ callbackId: KB_MODAL_CALLBACK, privateMetadata: String(opened.private_metadata), values })).status).toBe(200);
    const [article] = await h.desk.kb.list();
    expect(article).toMatchObject({ status: 'published', questions: ['Can I pay by bank transfer instead of card?'], author: `slack:${FOUNDER}` });
    expect((await h.desk.kb.decide('can I pay by bank transfer')).ranked[0]?.article.slug).toBe(article!.slug);
  });

  it('is refused to non-founders', async () => {
    const res = await h.post(messageActionBody({ callbackId: KB_SHORTCUT_CALLBACK, messageTs: '1.1', threadTs: '1.0', channelId: FOUNDER_CHANNEL, userId: 'USTRANGER' }));
    expect(res.status).toBe(200);
    await h.fake.waitFor((c) => c.method === 'chat.postEphemeral' && c.payload.user === 'USTRANGER' && String(c.payload.text).includes('only for the founders'));
    expect(h.fake.callsOf('views.open')).toEqual([]);
  });

  it('!save in the thread saves the question and the last reply as a draft', async () => {
    await h.customerDm('Do you ship to Canada?');
    await h.drain();
    const root = h.roots().at(-1)!;
    await h.founderReply(root.ts, 'Yes, in 5–7 days.');
    await h.drain();
    await h.founderReply(root.ts, '!save Shipping to Canada');
    const [article] = await h.desk.kb.list();
    expect(article).toMatchObject({ title: 'Shipping to Canada', body: 'Yes, in 5–7 days.', status: 'draft', questions: ['Do you ship to Canada?'] });
  });
});

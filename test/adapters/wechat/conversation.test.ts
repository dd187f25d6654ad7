import { afterEach, describe, expect, it } from 'vitest';
import { OverloadedError } from '../../../src/errors.ts';
import { importKbDirectory } from '../../../src/kb/markdown.ts';
import { phrases } from '../../../src/core/phrases.ts';
import { startWechatHarness, type WechatHarness } from './harness.ts';

// Customers on WeChat through the real Wechaty + wechaty-puppet-mock and the real core: one-to-one
// chats, rooms (only a mention is a question), the bot's own messages, redeliveries, and the
// founder's answer travelling back to the customer's WeChat.

let h: WechatHarness;

afterEach(async () => {
  await h?.close();
});

async function withChineseArticle(): Promise<WechatHarness> {
  const harness = await startWechatHarness();
  // One Chinese refund article (test/fixtures/kb-zh), as the founder's KB folder would hold it.
  await importKbDirectory(harness.desk.kb, 'test/fixtures/kb-zh', 'test');
  await harness.desk.kb.sync(true);
  return harness;
}

describe('wechat: one-to-one chats', () => {
  it("answers a contact's Chinese question from the Chinese article, in Chinese, as plain text", async () => {
    h = await withChineseArticle();
    const wang = h.contact('王芳');
    await h.say(wang, '怎么申请退款？');
    const [answer] = await h.settle(() => (h.saidTo(wang).length > 0 ? h.saidTo(wang) : null), 'the answer');
    expect(answer!.text).toContain('申请退款');
    // Markdown from the KB is rendered for WeChat, which would show ** literally.
    expect(answer!.text).not.toContain('**');
    // The rating is a numbered list under the Chinese prompt (WeChat has no buttons).
    expect(answer!.text).toContain(phrases('zh').helped);
    expect(answer!.text).toMatch(/\n1\. 👍\n2\. 👎$/);
    const stored = await h.desk.database.db.prisma.message.findFirstOrThrow({ where: { author: 'customer' }, include: { conversation: true } });
    expect(stored.conversation.externalChatId).toBe(wang.id);
  });

  it('takes a typed number under a rating as the rating', async () => {
    h = await withChineseArticle();
    const wang = h.contact('王芳');
    await h.say(wang, '怎么申请退款？');
    await h.settle(() => h.saidTo(wang).length > 0, 'the answer');
    await h.say(wang, '1');
    const [thanks] = await h.settle(() => (h.saidTo(wang).length > 1 ? h.saidTo(wang).slice(1) : null), 'the thanks');
    expect(thanks!.text).toBe(phrases('zh').thanksFeedback);
    const feedback = await h.desk.database.db.prisma.feedback.findMany();
    expect(feedback).toHaveLength(1);
  });

  it('escalates a Chinese question the KB does not cover with Chinese words, and relays the founder reply', async () => {
    h = await withChineseArticle();
    const li = h.contact('李雷');
    await h.say(li, '你们支持开具增值税专用发票吗？');
    await h.settle(() => h.founder.notices().some((n) => n.type === 'escalation'), 'the escalation');
    const [ack] = await h.settle(() => (h.saidTo(li).length > 0 ? h.saidTo(li) : null), 'the acknowledgement');
    expect(ack!.text).toContain(phrases('zh').escalated);

    const escalation = h.founder.notices().find((n) => n.type === 'escalation')!;
    await h.desk.core.founder.reply({ conversationId: escalation.conversationId, text: '可以，请把公司抬头发给我们。', founder: 'test' });
    await h.settle(() => h.saidTo(li).some((s) => s.text === '可以，请把公司抬头发给我们。'), 'the founder reply');
    await h.settle(() => h.founder.notices().some((n) => n.type === 'delivery_report' && n.delivered), 'the delivery report');
    expect(h.saidTo(li)).toHaveLength(2);
  });

  it("ignores the bot's own messages: nothing stored, nothing said", async () => {
    h = await withChineseArticle();
    const wang = h.contact('王芳');
    const id = await h.say(h.botUser, '您好，有什么可以帮您？');
    expect(h.handled.get(id)).toEqual(['ignored']);
    await h.desk.drain();
    expect(await h.desk.database.db.prisma.message.count()).toBe(0);
    expect(h.saidTo(wang)).toEqual([]);
  });

  it('stores a redelivered message id once and answers it once', async () => {
    h = await withChineseArticle();
    const wang = h.contact('王芳');
    const id = await h.say(wang, '怎么申请退款？');
    await h.settle(() => h.saidTo(wang).length > 0, 'the answer');
    expect(await h.redeliver(id)).toBe('duplicate');
    await h.desk.drain();
    expect(await h.desk.database.db.prisma.message.count({ where: { author: 'customer' } })).toBe(1);
    expect(h.saidTo(wang)).toHaveLength(1);
  });
});

describe('wechat: rooms', () => {
  it('answers only a message that mentions the bot, in the room, naming the asker', async () => {
    h = await withChineseArticle();
    const wang = h.contact('王芳');
    const li = h.contact('李雷');
    const room = h.room([wang, li], '客户群');
    const chatter = await h.say(li, '今天天气不错', { room });
    expect(h.handled.get(chatter)).toEqual(['ignored']);
    await h.say(wang, '@Solodesk 怎么申请退款？', { room, mentions: [h.botUser] });
    const [answer] = await h.settle(() => (h.saidTo(room).length > 0 ? h.saidTo(room) : null), 'the answer in the room');
    expect(answer!.text).toMatch(/^@王芳\s/u);
    expect(answer!.text).toContain('申请退款');
    expect(h.saidTo(room)).toHaveLength(1);
    expect(h.saidTo(wang)).toEqual([]);
    const messages = await h.desk.database.db.prisma.message.findMany({ where: { author: 'customer' }, include: { conversation: true } });
    expect(messages.map((m) => [m.text, m.conversation.externalChatId])).toEqual([['怎么申请退款？', room.id]]);
  });
});

describe('wechat: a desk that cannot store for a while', () => {
  it('keeps the message and stores it once the desk takes it again (WeChat never redelivers)', async () => {
    let refusals = 2;
    h = await startWechatHarness({
      core: (core) => ({
        ...core,
        async handleInbound(input) {
          if (refusals > 0) {
            refusals -= 1;
            throw new OverloadedError('the delivery could not be stored', 5_000);
          }
          return core.handleInbound(input);
        },
      }),
    });
    const zhao = h.contact('赵敏');
    const stored = h.say(zhao, '你们的营业时间是？');
    // Each refusal waits the desk's Retry-After on the core's clock before the next try.
    await h.settle(() => refusals === 1, 'the first refusal');
    h.clock.advance(5_000);
    await h.settle(() => refusals === 0, 'the second refusal');
    h.clock.advance(5_000);
    await stored;
    expect(h.handled.get([...h.handled.keys()].at(-1)!)).toEqual(['message']);
    await h.settle(() => h.saidTo(zhao).length > 0, 'the reply');
    const customerMessages = await h.desk.database.db.prisma.message.findMany({ where: { author: 'customer', channel: 'wechat' } });
    expect(customerMessages.map((m) => m.text)).toEqual(['你们的营业时间是？']);
  });
});

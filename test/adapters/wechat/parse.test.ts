import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { types } from 'wechaty';
import { startWechatHarness, type MockContact, type WechatHarness } from './harness.ts';

// What the founder sees of each kind of WeChat message: the real Wechaty turns the mock puppet's
// payloads into messages, the adapter into stored text plus attachment references.

let h: WechatHarness;
let wang: MockContact;

beforeAll(async () => {
  h = await startWechatHarness();
  wang = h.contact('王芳');
});

afterAll(async () => {
  await h.close();
});

/** The message as the core stored it (once the inbox has been processed). */
async function stored(id: string) {
  await h.desk.drain();
  const row = await h.desk.database.db.prisma.message.findFirstOrThrow({ where: { platformMessageId: id } });
  return { text: row.text, attachments: row.attachments };
}

describe('wechat message kinds', () => {
  it.each([
    [types.Message.Image, '[image]', [{ kind: 'photo' }]],
    [types.Message.Audio, '[voice]', [{ kind: 'voice' }]],
    [types.Message.Emoticon, '[sticker]', [{ kind: 'sticker' }]],
    [types.Message.Video, '[video]', [{ kind: 'video' }]],
  ])('type %s is stored as "%s" with a reference to the media', async (type, text, attachments) => {
    const id = await h.say(wang, '', { type });
    expect(h.handled.get(id)).toEqual(['message']);
    const message = await stored(id);
    expect(message.text).toBe(text);
    expect(message.attachments).toEqual([expect.objectContaining({ ...attachments[0], fileRef: `wechat:${id}` })]);
  });

  it('a link shows its title and address', async () => {
    const id = await h.say(wang, '', { type: types.Message.Url });
    // The mock puppet's link payload: "mock title for <id>", https://mock.url.
    expect((await stored(id)).text).toBe(`[link] mock title for ${id} https://mock.url`);
  });

  it('a mini program shows its title', async () => {
    const id = await h.say(wang, '', { type: types.Message.MiniProgram });
    expect((await stored(id)).text).toBe(`[mini program] mock title for ${id}`);
  });

  it('a file shows its name', async () => {
    const id = `file-${Date.now()}`;
    h.mocker.MessageMock.create({ id, talkerId: wang.id, listenerId: h.botUser.id, timestamp: Date.now(), type: types.Message.Attachment, filename: '发票.pdf' });
    const seen = new Promise<void>((resolve) => h.channel.bot.once('message', () => resolve()));
    h.puppet.emit('message', { messageId: id });
    await seen;
    await h.settle(async () => (await h.desk.database.db.prisma.message.count({ where: { platformMessageId: id } })) > 0, 'the file stored');
    expect(await stored(id)).toEqual({ text: '[file] 发票.pdf', attachments: [expect.objectContaining({ kind: 'document', name: '发票.pdf', fileRef: `wechat:${id}` })] });
  });

  it('a recalled message is not a question', async () => {
    const id = await h.say(wang, '撤回了一条消息', { type: types.Message.Recalled });
    expect(h.handled.get(id)).toEqual(['ignored']);
    expect(await h.desk.database.db.prisma.message.count({ where: { platformMessageId: id } })).toBe(0);
  });
});

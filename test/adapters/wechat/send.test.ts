import { afterEach, describe, expect, it } from 'vitest';
import { WECHAT_TEXT_LIMIT } from '../../../src/adapters/wechat/format.ts';
import type { Delivery } from '../../../src/core/ports.ts';
import { PlatformApiError, RateLimitedError } from '../../../src/errors.ts';
import { startWechatHarness, type WechatHarness } from './harness.ts';

// The send side on the real Wechaty + mock puppet, called the way the outbox calls it, and the
// pure rendering of KB Markdown and buttons into WeChat text.

let h: WechatHarness | undefined;

afterEach(async () => {
  await h?.close();
  h = undefined;
});

let counter = 0;
function delivery(chatId: string, text: string): Delivery {
  counter += 1;
  return {
    id: `delivery-${counter}`,
    channel: 'wechat',
    attempt: 1,
    payload: { type: 'customer_message', conversationId: 'c1', messageId: `m${counter}`, message: { channel: 'wechat', chatId, text, format: 'plain' } },
  };
}

describe('wechat sender', () => {
  it('reports a contact WeChat does not know as a permanent failure', async () => {
    h = await startWechatHarness();
    const sender = h.channel.senders[0]!;
    const failure = await sender.send(delivery('wxid_gone', 'hello')).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(PlatformApiError);
    expect((failure as PlatformApiError).permanent).toBe(true);
    expect((failure as PlatformApiError).reason).toBe('chat_not_found');
  });

  it('keeps to the per-minute budget: the send over it waits (not counted as a failure)', async () => {
    h = await startWechatHarness({ env: { WECHAT_MAX_PER_MINUTE: '2' } });
    const wang = h.contact('王芳');
    const sender = h.channel.senders[0]!;
    expect(sender.limits).toEqual({ perChatIntervalMs: 0, perSecond: 1 });
    await sender.send(delivery(wang.id, 'one'));
    await sender.send(delivery(wang.id, 'two'));
    const refused = await sender.send(delivery(wang.id, 'three')).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(RateLimitedError);
    expect((refused as RateLimitedError).retryAfterMs).toBeGreaterThan(0);
    expect((refused as RateLimitedError).retryAfterMs).toBeLessThanOrEqual(60_000);
    h.clock.advance(60_000);
    await sender.send(delivery(wang.id, 'three'));
    expect(h.saidTo(wang).map((s) => s.text)).toEqual(['one', 'two', 'three']);
  });

  it('sends a text longer than WeChat takes whole as several messages, in order', async () => {
    h = await startWechatHarness();
    const wang = h.contact('王芳');
    const paragraph = '退款说明。'.repeat(300);
    await h.channel.senders[0]!.send(delivery(wang.id, `${paragraph}\n\n${paragraph}`));
    const said = h.saidTo(wang).map((s) => s.text);
    expect(said).toEqual([paragraph, paragraph]);
    expect(said.every((t) => t.length <= WECHAT_TEXT_LIMIT)).toBe(true);
  });
});

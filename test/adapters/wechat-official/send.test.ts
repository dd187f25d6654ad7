import { afterEach, describe, expect, it } from 'vitest';
import { OfficialApi, withoutQuery } from '../../../src/adapters/wechat-official/api.ts';
import { createOfficialSender, OA_RATE_LIMITED_RETRY_MS } from '../../../src/adapters/wechat-official/send.ts';
import type { Delivery } from '../../../src/core/ports.ts';
import { TypedRatings } from '../../../src/core/plain-reply.ts';
import { NetworkError, PlatformApiError, RateLimitedError } from '../../../src/errors.ts';
import { startFakeWechat, type FakeWechat } from '../../fakes/wechat-api.ts';
import { captureLogger } from '../../support/capture-logger.ts';
import { TestClock } from '../../support/test-clock.ts';

// The sender on its own against the fake WeChat API: errcodes mapped onto the outbox's errors,
// the token cached and never shown, long texts split by bytes and resumed after a failure.

let wechat: FakeWechat;
afterEach(async () => {
  await wechat?.close();
});

function delivery(text: string, extra: Partial<Delivery['payload']> = {}, id = 'd1'): Delivery {
  return {
    id,
    channel: 'wechat_oa',
    attempt: 1,
    payload: { type: 'customer_message', conversationId: 'c1', messageId: 'm1', message: { channel: 'wechat_oa', chatId: 'oUser', text, format: 'plain' }, ...extra } as Delivery['payload'],
  };
}

async function senderOn(fake: FakeWechat, apiRoot = fake.apiRoot) {
  const clock = new TestClock();
  const { logger, lines } = captureLogger('debug');
  const api = new OfficialApi({ apiRoot, appId: fake.appId, appSecret: fake.appSecret, clock });
  return { sender: createOfficialSender({ api, logger, ratings: new TypedRatings() }), api, clock, lines };
}

describe('the wechat_oa sender', () => {
  it('caches the access token across sends', async () => {
    wechat = await startFakeWechat();
    const { sender } = await senderOn(wechat);
    await sender.send(delivery('一'));
    await sender.send(delivery('二', {}, 'd2'));
    expect(wechat.tokensIssued()).toBe(1);
    expect(wechat.delivered().map((s) => s.content)).toEqual(['一', '二']);
  });

  it('maps errcodes: 45015 permanent with the 48-hour reason, 45047/45009 rate limited, -1 transient, others permanent', async () => {
    wechat = await startFakeWechat();
    const { sender } = await senderOn(wechat);
    const refusal = async (errcode: number): Promise<unknown> => {
      wechat.failNextSend(errcode);
      return sender.send(delivery('x')).then(() => 'sent', (error: unknown) => error);
    };
    const closed = await refusal(45015);
    expect(closed).toBeInstanceOf(PlatformApiError);
    expect(closed).toMatchObject({ permanent: true, reason: 'rejected', message: expect.stringMatching(/48 hours/) });
    expect(await refusal(45047)).toMatchObject({ retryAfterMs: OA_RATE_LIMITED_RETRY_MS[45047] });
    expect(await refusal(45009)).toBeInstanceOf(RateLimitedError);
    expect(await refusal(-1)).toMatchObject({ permanent: false });
    expect(await refusal(43004)).toMatchObject({ permanent: true, reason: 'blocked' });
    expect(await refusal(40003)).toMatchObject({ permanent: true, reason: 'chat_not_found' });
    expect(await refusal(48001)).toMatchObject({ permanent: true, reason: 'rejected' });
  });

  it('refreshes a refused token only once: a second refusal is an error, not a loop', async () => {
    wechat = await startFakeWechat();
    const { sender } = await senderOn(wechat);
    wechat.failNextSend(40001, { times: 2 });
    await expect(sender.send(delivery('x'))).rejects.toBeInstanceOf(PlatformApiError);
    expect(wechat.sends.map((s) => s.failed)).toEqual([40001, 40001]);
    expect(wechat.tokensIssued()).toBe(2);
  });

  it('never shows the token or the secret: not in errors, not in logs, not in a network failure', async () => {
    wechat = await startFakeWechat();
    const { sender, lines } = await senderOn(wechat);
    await sender.send(delivery('x'));
    const token = wechat.sends[0]!.accessToken;
    wechat.failNextSend(48001, { errmsg: 'api unauthorized' });
    const refused = await sender.send(delivery('y')).catch((error: Error) => error);
    expect(String(refused) + JSON.stringify(refused)).not.toContain(token);
    const offline = await senderOn(wechat, 'http://127.0.0.1:1');
    const failure = await offline.sender.send(delivery('z')).catch((error: Error) => error);
    expect(failure).toBeInstanceOf(NetworkError);
    expect((failure as Error).message).not.toContain(wechat.appSecret);
    expect((failure as Error).message).toContain('[redacted]');
    expect(lines.join('\n')).not.toContain(token);
    expect(withoutQuery('https://api.weixin.qq.com/cgi-bin/token?secret=s&appid=a')).toBe('https://api.weixin.qq.com/cgi-bin/token?[redacted]');
  });

  it('sends a long text as parts under 2,000 bytes, and resumes after the parts already sent', async () => {
    wechat = await startFakeWechat();
    const { sender } = await senderOn(wechat);
    const paragraph = '退款会在三个工作日内退回原支付账户。'.repeat(30);
    const text = `${paragraph}\n\n第二部分${paragraph}`;
    // WeChat is busy for the second part: the retry sends only that one.
    wechat.failNextSend(-1, { containing: '第二部分' });
    await expect(sender.send(delivery(text))).rejects.toMatchObject({ permanent: false });
    await sender.send(delivery(text));
    const parts = wechat.delivered().map((s) => s.content);
    expect(parts).toHaveLength(2);
    expect(parts[1]!.startsWith('第二部分')).toBe(true);
    expect(parts.every((p) => Buffer.byteLength(p, 'utf8') <= 2_000)).toBe(true);
    expect(parts.join('').replace(/\s/g, '')).toBe(text.replace(/\s/g, ''));
  });
});

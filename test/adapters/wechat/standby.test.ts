import { afterEach, describe, expect, it } from 'vitest';
import { types } from 'wechaty';
import { mock, PuppetMock } from 'wechaty-puppet-mock';
import { createWechatChannel, type WechatChannel } from '../../../src/adapters/wechat/index.ts';
import { loadConfig } from '../../../src/config/env.ts';
import { DEFAULT_LEASE_TTL_MS, processLeaseOwner } from '../../../src/core/session-lease.ts';
import { createLogger } from '../../../src/observability/logger.ts';
import { createMetrics } from '../../../src/observability/metrics.ts';
import { channelContextOf } from '../../support/channel-context.ts';
import { TestClock } from '../../support/test-clock.ts';
import { startWechatHarness, type WechatHarness } from './harness.ts';

// Two Solodesk processes on one database, one WeChat account: the process that holds the `wechat`
// lease runs the session; the other stands by. When the holder stops renewing (it died: its clock,
// and so its renewals, stand still here), the standby takes the lease over once it expires, opens
// the session for a new scan, and the replies go out through it, once. On PostgreSQL (the CI's
// second run) the two share a real database as two processes would; on PGlite, the one file.

let a: WechatHarness | undefined;
let b: WechatChannel | undefined;

afterEach(async () => {
  await b?.stop();
  await a?.close();
  a = undefined;
  b = undefined;
});

describe('wechat: one session for several processes', () => {
  it('a standby takes the session over when the holder stops renewing, and a reply queued meanwhile goes out once', async () => {
    a = await startWechatHarness();
    const prisma = a.desk.database.db.prisma;
    const li = a.contact('李雷');
    await a.say(li, '你们支持开具增值税专用发票吗？');
    const escalation = await a.settle(() => a!.founder.notices().find((n) => n.type === 'escalation'), 'the escalation');
    await a.settle(() => a!.saidTo(li).length === 1, 'the acknowledgement');

    // Process B: its own puppet (the same account and contacts, as WeChat would show them) and its
    // own clock; the same database.
    const clockB = new TestClock();
    const mockerB = new mock.Mocker();
    const puppetB = new PuppetMock({ mocker: mockerB });
    const config = loadConfig({ WECHATY_PUPPET: 'wechaty-puppet-mock', WECHAT_PER_CHAT_INTERVAL_MS: '0', WECHAT_MAX_PER_MINUTE: '1000' });
    b = createWechatChannel(
      channelContextOf(
        { config, core: a.desk.core, kb: a.desk.kb, http: { addRoute: () => undefined }, logger: createLogger({ level: 'silent' }), metrics: createMetrics(), clock: clockB },
        a.desk.database.db,
        'process-b',
      ),
      { puppet: puppetB },
    );
    await b.start();
    let bRunning = false;
    void b.running().then(() => (bRunning = true));
    await a.desk.drain();
    expect(await prisma.sessionLease.findUniqueOrThrow({ where: { name: 'wechat' } })).toMatchObject({ owner: processLeaseOwner() });
    expect(bRunning).toBe(false);

    // A dies. B's clock passes the lease's expiry (twice over: A may have renewed once on real time).
    clockB.advance(2 * DEFAULT_LEASE_TTL_MS + 1);
    await b.running();
    expect(await prisma.sessionLease.findUniqueOrThrow({ where: { name: 'wechat' } })).toMatchObject({ owner: 'process-b' });

    // The founder scans B's QR code; from now on B's process delivers WeChat replies.
    const botB = mockerB.createContact({ id: a.botUser.id, name: 'Solodesk' });
    const liB = mockerB.createContact({ id: li.id, name: '李雷' });
    const saidByB: string[] = [];
    (liB as unknown as { on(event: 'message', listener: (m: { payload: { talkerId?: string; text?: string } }) => void): void }).on('message', (m) => {
      if (m.payload.talkerId === botB.id) saidByB.push(m.payload.text ?? '');
    });
    const loggedIn = new Promise<void>((resolve) => b!.bot.once('login', () => resolve()));
    mockerB.scan('https://login.weixin.qq.com/l/standby-qr', types.ScanStatus.Waiting);
    mockerB.login(botB);
    await loggedIn;
    for (const sender of b.senders) a.desk.core.dispatcher.registerSender(sender);

    await a.desk.core.founder.reply({ conversationId: escalation.conversationId, text: '可以开具，请发来抬头。', founder: 'test' });
    await a.settle(() => saidByB.length === 1, 'the reply through the standby');
    await a.desk.drain();
    expect(saidByB).toEqual(['可以开具，请发来抬头。']);
    // Nothing more went out through A's dead session.
    expect(a.saidTo(li)).toHaveLength(1);

    // Were A only frozen, not dead: at its next renewal it learns the lease is B's and closes its session.
    a.clock.advance(DEFAULT_LEASE_TTL_MS / 3 + 1);
    await a.settle(() => !a!.channel.bot.isLoggedIn, 'the former holder closing its session');
    expect(await prisma.sessionLease.findUniqueOrThrow({ where: { name: 'wechat' } })).toMatchObject({ owner: 'process-b' });
  });
});

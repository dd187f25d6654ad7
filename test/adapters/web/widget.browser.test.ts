import { createHmac } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventCallbackBody, postSigned } from '../../fakes/slack-signing.ts';
import { startFakeSlack, type FakeSlack } from '../../fakes/slack-web-api.ts';
import { threadReplyEvent } from '../../fixtures/slack/events.ts';
import { deskEnv, SECRETS } from '../../reliability/platforms.ts';
import { createFreshPostgresDatabase, startSolodesk, type FreshDatabase, type SolodeskProcess } from '../../support/solodesk-process.ts';
import { launchChromium } from './browser.ts';

// The widget in a real browser against a real Solodesk process (`solodesk start`: the sample KB,
// the outbox, the web channel), with the founder in a fake Slack: the founder's reply is a signed
// thread reply to the process, as Slack sends it. Host pages on two other origins embed the widget
// with one script tag: one allowed by WEB_ALLOWED_ORIGINS, one not.
//
// Nothing here waits on time: every step waits for what the page shows (Playwright's locators
// wait for their element), and each wait's limit only guards against a hang.

const IDENTITY_SECRET = 'browser-test-site-secret-0123';
const SHOWN = { timeout: 30_000 };

let slack: FakeSlack;
let desk: SolodeskProcess;
let database: FreshDatabase | undefined;
let dataDir: string | undefined;
let browser: Browser;
let allowedSite: HostSite;
let otherSite: HostSite;

interface HostSite {
  origin: string;
  close(): Promise<void>;
}

beforeAll(async () => {
  slack = await startFakeSlack({ token: SECRETS.slackBotToken });
  const env: Record<string, string> = { ...deskEnv({ slack }), WEB_IDENTITY_SECRET: IDENTITY_SECRET };
  if (process.env.DATABASE_URL) {
    database = await createFreshPostgresDatabase('solodesk_web');
    env.DATABASE_URL = database.url;
  } else {
    dataDir = mkdtempSync(join(tmpdir(), 'solodesk-web-'));
    env.SOLODESK_DATA_DIR = dataDir;
  }
  // The host sites need the desk's origin for their script tag, and the desk needs theirs: their
  // ports are chosen first.
  const sitePorts = await Promise.all([reservePort(), reservePort()]);
  env.WEB_ALLOWED_ORIGINS = `http://127.0.0.1:${sitePorts[0]}`;
  desk = await startSolodesk({ env });
  allowedSite = await startHostSiteOn(desk.origin, sitePorts[0]!);
  otherSite = await startHostSiteOn(desk.origin, sitePorts[1]!);
  browser = await launchChromium();
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await desk?.stop();
  await allowedSite?.close();
  await otherSite?.close();
  await slack?.close();
  await database?.drop();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

async function reservePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

/** A founder's website on its own origin: any page embeds the widget, the query's pairs becoming data-* attributes of the script tag. */
async function startHostSiteOn(deskOrigin: string, port: number): Promise<HostSite> {
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://host');
    const attributes = [...url.searchParams].map(([k, v]) => ` data-${k.replace(/[^a-z-]/g, '')}="${v.replace(/[^\w:.-]/g, '')}"`).join('');
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(
      `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Shop</title></head><body><h1>A shop</h1>` +
        `<script src="${deskOrigin}/widget.js" async${attributes}></script></body></html>`,
    );
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return { origin: `http://127.0.0.1:${port}`, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

/** Opens the widget's panel on a page that has the script. */
async function openChat(page: Page): Promise<void> {
  await page.getByRole('button', { name: 'Chat with us' }).click(SHOWN);
  await page.locator('#solodesk-widget[data-connection="open"]').waitFor({ state: 'attached', ...SHOWN });
}

async function ask(page: Page, text: string): Promise<void> {
  const box = page.getByRole('textbox', { name: 'Type your message' });
  await box.fill(text);
  await box.press('Enter');
}

const messages = (page: Page, author: 'customer' | 'bot' | 'founder') => page.locator(`#solodesk-widget [data-author="${author}"]`);

/** The founder answers the conversation whose question was `question`, in its Slack thread. */
async function founderRepliesInSlack(question: string, reply: string): Promise<void> {
  const root = await waitFor(() => slack.posted().find((m) => m.channel === SECRETS.founderChannel && m.thread_ts === undefined && JSON.stringify(m).includes(question)), `the founder thread of "${question}"`);
  const event = threadReplyEvent({ text: reply, ts: `${Math.floor(Date.now() / 1000)}.${String(Math.floor(Math.random() * 1e6)).padStart(6, '0')}`, threadTs: root.ts, channel: SECRETS.founderChannel, user: SECRETS.founderUser });
  const body = eventCallbackBody({ eventId: `Ev${Date.now()}${Math.floor(Math.random() * 1000)}`, event });
  const answer = await postSigned(`${desk.origin}/slack/events`, body, { signingSecret: SECRETS.slackSigningSecret });
  expect(answer.status).toBe(200);
}

/** Polls `find` until it returns something (the desk works on its own clock); the limit guards against a hang. */
async function waitFor<T>(find: () => T | undefined, what: string): Promise<T> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const found = find();
    if (found !== undefined) return found;
    if (Date.now() > deadline) throw new Error(`${what} never came`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('the web chat widget in Chromium', () => {
  let visitor: BrowserContext;
  let page: Page;

  beforeAll(async () => {
    visitor = await browser.newContext({ locale: 'en-US' });
    page = await visitor.newPage();
    await page.goto(`${desk.origin}/web/demo`);
    await openChat(page);
  });

  it('answers a KB question from the knowledge base', async () => {
    await ask(page, 'How do I reset my password?');
    await expect.poll(() => messages(page, 'bot').filter({ hasText: 'Reset your password' }).count(), SHOWN).toBe(1);
    await expect.poll(() => messages(page, 'customer').first().getAttribute('data-state'), SHOWN).toBe('sent');
    // The answer's rating buttons are there to press.
    await expect.poll(() => messages(page, 'bot').filter({ hasText: 'Reset your password' }).getByRole('button', { name: '👍' }).count(), SHOWN).toBe(1);
  });

  it("relays an unknown question to the founder and shows the founder's reply from Slack", async () => {
    const question = 'Can I pay with seashells?';
    await ask(page, question);
    await founderRepliesInSlack(question, 'Only on Tuesdays, and only cowries.');
    await expect.poll(() => messages(page, 'founder').filter({ hasText: 'Only on Tuesdays' }).count(), SHOWN).toBe(1);
    if (process.env.WIDGET_SCREENSHOT) await page.screenshot({ path: process.env.WIDGET_SCREENSHOT });
  });

  it('shows the same history after a reload', async () => {
    const before = await page.locator('#solodesk-widget [data-message-id]').allTextContents();
    await page.reload();
    await openChat(page);
    await expect.poll(() => page.locator('#solodesk-widget [data-message-id]').allTextContents(), SHOWN).toEqual(before);
  });

  it('is a different visitor in a second browser context', async () => {
    const other = await browser.newContext({ locale: 'en-US' });
    const otherPage = await other.newPage();
    await otherPage.goto(`${desk.origin}/web/demo`);
    await openChat(otherPage);
    expect(await otherPage.locator('#solodesk-widget [data-message-id]').count()).toBe(0);
    await other.close();
  });

  it('loses nothing and repeats nothing across a stretch offline', async () => {
    await visitor.setOffline(true);
    await expect.poll(() => page.locator('#solodesk-widget').getAttribute('data-connection'), SHOWN).toBe('offline');
    // Written while offline: kept in the page, sent once the network is back.
    await ask(page, 'Is there a student discount?');
    await expect.poll(() => messages(page, 'customer').filter({ hasText: 'student discount' }).getAttribute('data-state'), SHOWN).toBe('sending');
    // Meanwhile the founder answers the earlier question again: the page cannot hear it now.
    await founderRepliesInSlack('Can I pay with seashells?', 'Update: cowries and conch shells both work.');
    await visitor.setOffline(false);
    await expect.poll(() => messages(page, 'founder').filter({ hasText: 'conch shells' }).count(), SHOWN).toBe(1);
    await expect.poll(() => messages(page, 'customer').filter({ hasText: 'student discount' }).getAttribute('data-state'), SHOWN).toBe('sent');
    expect(await messages(page, 'customer').filter({ hasText: 'student discount' }).count()).toBe(1);
    expect(await messages(page, 'founder').filter({ hasText: 'Only on Tuesdays' }).count()).toBe(1);
    // The desk stored it once as well: a reload shows exactly one.
    await page.reload();
    await openChat(page);
    await expect.poll(() => messages(page, 'customer').filter({ hasText: 'student discount' }).count(), SHOWN).toBe(1);
    expect(await messages(page, 'founder').filter({ hasText: 'conch shells' }).count()).toBe(1);
  });
});

describe('the widget on other sites', () => {
  it('works on a site in WEB_ALLOWED_ORIGINS', async () => {
    const context = await browser.newContext({ locale: 'en-US' });
    const page = await context.newPage();
    await page.goto(`${allowedSite.origin}/`);
    await openChat(page);
    await ask(page, 'How do I reset my password?');
    await expect.poll(() => messages(page, 'bot').count(), SHOWN).toBeGreaterThan(0);
    await context.close();
  });

  it('is refused on a site that is not allowed', async () => {
    const context = await browser.newContext({ locale: 'en-US' });
    const page = await context.newPage();
    await page.goto(`${otherSite.origin}/`);
    await page.getByRole('button', { name: 'Chat with us' }).click(SHOWN);
    await expect.poll(() => page.locator('#solodesk-widget').getAttribute('data-connection'), SHOWN).toBe('refused');
    await expect.poll(() => page.locator('#solodesk-widget').getByText('Chat is not available on this site.').count(), SHOWN).toBe(1);
    await context.close();
  });

  it('links a verified user across browsers, and refuses a forged identity', async () => {
    const hash = createHmac('sha256', IDENTITY_SECRET).update('cus_77').digest('hex');
    const laptop = await browser.newContext({ locale: 'en-US' });
    const onLaptop = await laptop.newPage();
    await onLaptop.goto(`${allowedSite.origin}/?user-id=cus_77&user-hash=${hash}&name=Grace`);
    await openChat(onLaptop);
    await ask(onLaptop, 'How do I export my data?');
    await expect.poll(() => messages(onLaptop, 'bot').count(), SHOWN).toBeGreaterThan(0);
    const phone = await browser.newContext({ locale: 'en-US' });
    const onPhone = await phone.newPage();
    await onPhone.goto(`${allowedSite.origin}/?user-id=cus_77&user-hash=${hash}`);
    await openChat(onPhone);
    await expect.poll(() => messages(onPhone, 'customer').filter({ hasText: 'export my data' }).count(), SHOWN).toBe(1);

    const forger = await browser.newContext({ locale: 'en-US' });
    const forged = await forger.newPage();
    await forged.goto(`${allowedSite.origin}/?user-id=cus_77&user-hash=${'0'.repeat(64)}`);
    await forged.getByRole('button', { name: 'Chat with us' }).click(SHOWN);
    await expect.poll(() => forged.locator('#solodesk-widget').getByText('We could not verify your account.').count(), SHOWN).toBe(1);
    expect(await messages(forged, 'customer').count()).toBe(0);
    await Promise.all([laptop.close(), phone.close(), forger.close()]);
  });

  it('works from the keyboard, on a phone, in dark mode', async () => {
    const context = await browser.newContext({ locale: 'en-US', viewport: { width: 375, height: 667 }, colorScheme: 'dark' });
    const page = await context.newPage();
    await page.goto(`${desk.origin}/web/demo`);
    const launcher = page.getByRole('button', { name: 'Chat with us' });
    await launcher.focus();
    await page.keyboard.press('Enter');
    const box = page.getByRole('textbox', { name: 'Type your message' });
    await expect.poll(() => box.evaluate((el) => el === (el.getRootNode() as unknown as { activeElement: unknown }).activeElement), SHOWN).toBe(true);
    const dialog = page.getByRole('dialog', { name: 'Support' });
    // The panel takes the phone's whole width.
    expect((await dialog.boundingBox())?.width).toBe(375);
    expect(await page.locator('#solodesk-widget').getAttribute('data-theme')).toBe('dark');
    await page.keyboard.press('Escape');
    await expect.poll(() => dialog.isVisible(), SHOWN).toBe(false);
    await expect.poll(() => launcher.evaluate((el) => el === (el.getRootNode() as unknown as { activeElement: unknown }).activeElement), SHOWN).toBe(true);
    expect(await launcher.getAttribute('aria-expanded')).toBe('false');
    await context.close();
  });

  it('speaks Chinese to a Chinese browser', async () => {
    const context = await browser.newContext({ locale: 'zh-CN' });
    const page = await context.newPage();
    await page.goto(`${desk.origin}/web/demo`);
    await page.getByRole('button', { name: '联系我们' }).click(SHOWN);
    await expect.poll(() => page.getByRole('textbox', { name: '输入消息' }).count(), SHOWN).toBe(1);
    await context.close();
  });
});

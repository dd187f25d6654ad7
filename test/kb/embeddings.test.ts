import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createKnowledgeBase, type KnowledgeBaseService } from '../../src/kb/knowledge-base-service.ts';
import type { ArticleInput } from '../../src/kb/knowledge-base.ts';
import { EMBEDDING_RETRY_AFTER_MS } from '../../src/kb/stored-embeddings.ts';
import { createLlmClient } from '../../src/llm/client.ts';
import { createEmbedder } from '../../src/llm/embedder.ts';
import { startFakeOpenAI, type FakeOpenAI } from '../fakes/openai-api.ts';
import { ManualClock } from '../observability/manual-clock.ts';
import { captureLogger } from '../support/capture-logger.ts';
import { createTestDatabase, type TestDatabase } from '../support/test-database.ts';
import { englishArticles } from './fixtures.ts';

// OPENAI_EMBEDDING_MODEL end to end: the KB service on a real database, the real `openai` client,
// and the loopback fake of the API. The fake embeds like a model that knows what each article is
// about: every text of an article gets its article's vector (scripted with embedWith).

const KEY = 'sk-proj-EmbeddingsTestKey-0123456789abcdef';
const MODEL = 'text-embedding-3-small';
const TIMEOUT_MS = 20_000;
const articles: ArticleInput[] = englishArticles.map((a) => ({ title: a.title, body: a.body, questions: [...a.questions] }));
const articleText = (a: ArticleInput): string => `${a.title}\n\n${a.body}`;
const refunds = articles.find((a) => a.title === 'Refunds')!;
/** Shares no word with the refund article; "order" is the shipping article's. */
const PARAPHRASE = 'Return cash for broken order';

let database: TestDatabase;
let ai: FakeOpenAI;
let clock: ManualClock;
let log: ReturnType<typeof captureLogger>;
let kb: KnowledgeBaseService;

function knowledgeBase(): KnowledgeBaseService {
  const client = createLlmClient({ apiKey: KEY, baseUrl: ai.baseURL, timeoutMs: TIMEOUT_MS }, { clock });
  return createKnowledgeBase(database.db.prisma, {
    syncIntervalMs: 0,
    refitPendingAfterMs: null,
    embedder: createEmbedder({ client, model: MODEL }),
    logger: log.logger,
    clock,
  });
}

/** A KB over the same database without an embedding model: the ranking by words alone. */
function wordsOnly(): KnowledgeBaseService {
  return createKnowledgeBase(database.db.prisma, { syncIntervalMs: 0, refitPendingAfterMs: null });
}

const embeddingRequests = () => ai.calls.filter((c) => c.path === '/v1/embeddings').length;

beforeEach(async () => {
  database = await createTestDatabase();
  ai = await startFakeOpenAI();
  // each article's texts embed as its title does: one direction per article
  ai.embedWith((text) => articles.find((a) => text === articleText(a) || a.questions?.includes(text))?.title);
  clock = new ManualClock();
  log = captureLogger();
  kb = knowledgeBase();
  await kb.createMany(articles, 'test');
  await kb.prepare();
});

afterEach(async () => {
  await ai.close();
  await database.dispose();
});

describe('KB embeddings: stored once per text', () => {
  it('embeds every article (title and body) and example question once, and stores each vector', async () => {
    const expected = articles.flatMap((a) => [articleText(a), ...(a.questions ?? [])]);
    expect(ai.embeddingInputs().flat().sort()).toEqual([...expected].sort());
    expect(ai.calls.every((c) => c.body.model === MODEL)).toBe(true);
    const rows = await database.db.prisma.textEmbedding.findMany();
    expect(rows).toHaveLength(expected.length);
    expect(rows.every((r) => r.model === MODEL && r.vector.length === 1536)).toBe(true);
    expect(kb.embeddingTokens).toBeGreaterThan(0);
  });

  it('asks nothing for a change that leaves the texts as they were, and only the changed text after an edit', async () => {
    const before = ai.embeddingInputs().length;
    await kb.update('refunds', { tags: ['billing'] }, 'test');
    await kb.prepare();
    expect(ai.embeddingInputs()).toHaveLength(before);

    await kb.update('refunds', { body: 'Refunds reach your card within 10 days.' }, 'test');
    await kb.prepare();
    expect(ai.embeddingInputs().slice(before)).toEqual([['Refunds\n\nRefunds reach your card within 10 days.']]);

    const [refund] = await kb.list({ tag: 'billing' });
    await kb.addExampleQuestion(refund!.id, 'Is my money coming back?', 'test');
    await kb.prepare();
    expect(ai.embeddingInputs().slice(before + 1)).toEqual([['Is my money coming back?']]);
    expect(await database.db.prisma.textEmbedding.count()).toBe(articles.length * 5 + 2);
  });

  it('after a restart, reads the stored vectors and embeds nothing again', async () => {
    const before = embeddingRequests();
    const restarted = knowledgeBase();
    // an example question repeated word for word is the KB's own text: no request either
    const { ranked } = await restarted.decide(refunds.questions![0]!);
    expect(ranked[0]?.article.title).toBe('Refunds');
    expect(embeddingRequests()).toBe(before);
  });
});

describe('KB embeddings: used in ranking', () => {
  it('ranks first an article the question shares no word with when its vector is near, and not by words alone', async () => {
    ai.embedWith((text) => (text === PARAPHRASE ? refunds.title : articles.find((a) => text === articleText(a) || a.questions?.includes(text))?.title));
    const withVectors = await kb.decide(PARAPHRASE);
    const byWords = await wordsOnly().decide(PARAPHRASE);

    expect(ai.embeddingInputs().at(-1)).toEqual([PARAPHRASE]);
    expect(withVectors.ranked[0]?.article.slug).toBe('refunds');
    expect(byWords.ranked[0]?.article.slug).not.toBe('refunds');
    // the question itself is never stored
    expect(await database.db.prisma.textEmbedding.count()).toBe(articles.length * 5);
  });
});

describe('KB embeddings: a failing model never fails a decision', () => {
  it('ranks by words when the server answers 500, and logs neither the question nor the key', async () => {
    ai.failNext({ status: 500, headers: { 'retry-after-ms': '0' }, body: { error: { message: `cannot embed "${PARAPHRASE}" with ${KEY}`, type: 'server_error', code: null } } }, 2);
    const failed = await kb.decide(PARAPHRASE);
    const byWords = await wordsOnly().decide(PARAPHRASE);

    expect(failed.ranked.map((r) => r.article.id)).toEqual(byWords.ranked.map((r) => r.article.id));
    expect(failed.ranked[0]?.article.slug).not.toBe('refunds');
    const warning = log.records().find((r) => r.event === 'kb_embedding_failed');
    expect(warning).toMatchObject({ purpose: 'question', status: 500, error: 'PlatformApiError', texts: 1 });
    expect(log.text()).not.toContain(PARAPHRASE);
    expect(log.text()).not.toContain(KEY);
  });

  it('ranks by words when the server does not answer within the deadline (moved on the clock), then rests', async () => {
    let release: () => void = () => undefined;
    ai.embedWith((text) => (text === PARAPHRASE ? new Promise<undefined>((resolve) => (release = () => resolve(undefined))) : undefined));
    const pending = kb.decide(PARAPHRASE);
    await ai.waitFor((c) => c.path === '/v1/embeddings' && JSON.stringify(c.body.input) === JSON.stringify([PARAPHRASE]));
    expect(clock.pending()).toEqual([TIMEOUT_MS]);

    clock.advance(TIMEOUT_MS);
    const timedOut = await pending;
    const byWords = await wordsOnly().decide(PARAPHRASE);
    expect(timedOut.ranked.map((r) => r.article.id)).toEqual(byWords.ranked.map((r) => r.article.id));
    expect(log.records().find((r) => r.event === 'kb_embedding_failed')).toMatchObject({ purpose: 'question', error: 'LlmTimeoutError' });
    release();

    // resting: the next questions are ranked by words without waiting on the server again
    const requests = embeddingRequests();
    await kb.decide('Where can I get my cash back?');
    expect(embeddingRequests()).toBe(requests);
    clock.advance(EMBEDDING_RETRY_AFTER_MS);
    await kb.decide('Where can I get my cash back?');
    expect(embeddingRequests()).toBe(requests + 1);
    expect(log.text()).not.toContain(KEY);
  });

  it('leaves the texts it could not embed for the next pass, ranked by words meanwhile', async () => {
    ai.failNext({ status: 503, headers: { 'retry-after-ms': '0' } }, 2);
    await kb.update('refunds', { body: 'Refunds reach your card within 10 days.' }, 'test');
    await kb.prepare();
    expect(log.records().find((r) => r.event === 'kb_embedding_failed')).toMatchObject({ purpose: 'articles', status: 503 });
    expect(await database.db.prisma.textEmbedding.count()).toBe(articles.length * 5);

    clock.advance(EMBEDDING_RETRY_AFTER_MS);
    await kb.update('shipping-times', { tags: ['delivery'] }, 'test');
    await kb.prepare();
    expect(ai.embeddingInputs().at(-1)).toEqual(['Refunds\n\nRefunds reach your card within 10 days.']);
    expect(await database.db.prisma.textEmbedding.count()).toBe(articles.length * 5 + 1);
  });
});

import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeOpenAI, type FakeOpenAI } from '../fakes/openai-api.ts';

// `solodesk bench kb` with an embedding model configured: the same JSON line plus the tokens it
// cost, here against the loopback fake (the real server is for a run by hand, never CI).

const run = promisify(execFile);
const dir = mkdtempSync(join(tmpdir(), 'solodesk-bench-embeddings-'));
const file = join(dir, 'tiny.json');
let ai: FakeOpenAI;

beforeAll(async () => {
  ai = await startFakeOpenAI();
  writeFileSync(
    file,
    JSON.stringify({
      name: 'tiny',
      language: 'en',
      articles: [
        { id: 'pw', title: 'Reset your password', body: 'Use the reset link.', questions: ['How do I reset my password?', 'I forgot my password'], tags: [] },
        { id: 'refund', title: 'Refunds', body: '14 days.', questions: ['Can I get a refund?', 'I want my money back'], tags: [] },
      ],
      queries: [
        { text: 'How do I reset my password?', expected: 'pw' },
        { text: 'Please return my cash', expected: 'refund' },
        { text: 'Do you sell gift cards?', expected: null },
      ],
    }),
  );
});
afterAll(async () => {
  await ai.close();
  rmSync(dir, { recursive: true, force: true });
});

function bench(extra: Record<string, string>) {
  const { DATABASE_URL: _db, OPENAI_API_KEY: _key, OPENAI_BASE_URL: _url, OPENAI_EMBEDDING_MODEL: _model, LLM_MODE: _mode, ...env } = process.env;
  return run('node', ['bin/solodesk.js', 'bench', 'kb', '--dataset', file], { env: { ...env, ...extra }, encoding: 'utf8' });
}

describe('solodesk bench kb with an embedding model', () => {
  it('embeds through the configured server and adds the tokens to the same JSON line', async () => {
    const { stdout } = await bench({ OPENAI_API_KEY: 'sk-bench-test-key', OPENAI_BASE_URL: ai.baseURL, OPENAI_EMBEDDING_MODEL: 'text-embedding-3-small', LLM_MODE: 'off' });
    const last = JSON.parse(stdout.trim().split('\n').at(-1)!);

    expect(last).toMatchObject({ queries: 3, in_scope: 2, out_of_scope: 1 });
    // 6 texts of the articles, then the two questions that are not example questions
    const inputs = ai.embeddingInputs().flat();
    expect(inputs).toHaveLength(8);
    expect(inputs).toEqual(expect.arrayContaining(['Please return my cash', 'Do you sell gift cards?']));
    const expectedTokens = inputs.reduce((sum, t) => sum + Math.ceil(t.length / 4), 0);
    expect(last.tokens).toBe(expectedTokens);
    expect(stdout).toMatch(/^# tiny — .*; embeddings text-embedding-3-small$/m);
  });

  it('leaves the line as it was without an LLM server', async () => {
    const { stdout } = await bench({});
    const last = JSON.parse(stdout.trim().split('\n').at(-1)!);
    expect(last).toMatchObject({ queries: 3 });
    expect(last).not.toHaveProperty('tokens');
    expect(stdout).not.toContain('embeddings');
  });

  it('with LLM_MODE=auto, a grounded draft answers what the KB would escalate, and its tokens are counted', async () => {
    // The model answers from the first article it is given, citing it; every check passes.
    ai.reply((request) => {
      const user = String(request.messages.at(-1)?.content ?? '');
      const [, id, body] = /<article id="([^"]+)">\n<title>[^<]*<\/title>\n([^\n]*)/.exec(user) ?? [];
      return JSON.stringify({ answer: body ?? '', cited_article_ids: id ? [id] : [], supported: true, language: 'en' });
    });
    const before = ai.chatRequests().length;
    const { stdout } = await bench({ OPENAI_API_KEY: 'sk-bench-test-key', OPENAI_BASE_URL: ai.baseURL, LLM_MODE: 'auto' });
    const last = JSON.parse(stdout.trim().split('\n').at(-1)!);

    const asked = ai.chatRequests().slice(before);
    expect(asked.length).toBeGreaterThan(0);
    // Every question the model was asked was answered (its drafts pass), so answers rose by as many.
    const { stdout: plain } = await bench({});
    const without = JSON.parse(plain.trim().split('\n').at(-1)!);
    expect(last.answered).toBe(without.answered + asked.length);
    // No embedding model here: every token counted is the drafts'.
    expect(last.tokens).toBeGreaterThan(0);
  });
});


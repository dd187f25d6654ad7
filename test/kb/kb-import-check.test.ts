import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createKnowledgeBase, type KnowledgeBaseService } from '../../src/kb/knowledge-base-service.ts';
import { importKbDirectory, KbFileError } from '../../src/kb/markdown.ts';
import { createTestDatabase, type TestDatabase } from '../support/test-database.ts';

// `kb import` checks every file before it writes anything: one run lists every problem, and a
// folder with any bad file changes nothing in the database.

let database: TestDatabase;
let kb: KnowledgeBaseService;
let dir: string;

beforeEach(async () => {
  database = await createTestDatabase();
  kb = createKnowledgeBase(database.db.prisma, { syncIntervalMs: 0 });
  dir = mkdtempSync(join(tmpdir(), 'solodesk-kb-check-'));
});
afterEach(async () => {
  await database.dispose();
  rmSync(dir, { recursive: true, force: true });
});

const write = (file: string, text: string) => writeFileSync(join(dir, file), text);

async function importProblems(folder: string): Promise<string[]> {
  const failure = await importKbDirectory(kb, folder, 'test').then(
    () => undefined,
    (error: unknown) => error,
  );
  expect(failure).toBeInstanceOf(KbFileError);
  return (failure as KbFileError).problems;
}

describe('kb import checks every file first', () => {
  it('names every bad file and what to do about it, and writes nothing', async () => {
    write('good.md', '---\ntitle: Good\nquestions: [Is it good?]\n---\nYes.\n');
    write('reset-password.md', '---\ntitle: Reset\nquestions: How do I reset my password?\n---\nUse the link.\n');
    write('refund.md', '---\nquestions: [Can I get a refund?]\n---\nNo title here.\n');
    write('pricing.md', '---\ntitle: Pricing\nstatus: live\ntags: billing\n---\nFree.\n');
    write('broken.md', '---\ntitle: [unclosed\n---\nBody\n');
    write('plain.md', 'Just some Markdown, no front matter.\n');
    write('Bad_Name.md', '---\ntitle: Bad name\n---\nBody\n');

    const problems = await importProblems(dir);

    expect(problems).toEqual([
      'Bad_Name.md: the file name must be a slug (lowercase letters, digits, dashes): rename it to bad-name.md',
      expect.stringMatching(/^broken\.md: front matter is not valid YAML \(.+\): check the lines between the --- markers$/),
      'plain.md: no front matter: start the file with a --- block holding at least `title: <the article\'s title>`',
      'pricing.md: front matter `tags` must be a list of strings (e.g. `tags: [billing, account]`)',
      'pricing.md: front matter `status` must be draft, published or archived',
      'refund.md: front matter has no `title`: add `title: <the article\'s title>` between the --- markers',
      'reset-password.md: front matter `questions` must be a list of strings (one example question per line, each starting with "- ")',
      `6 of 7 files in ${dir} have problems; nothing was imported`,
    ]);
    expect(await kb.list({ status: 'draft' })).toEqual([]);
    expect(await kb.list()).toEqual([]);
  });

  it('leaves articles already in the KB as they were when one file is bad', async () => {
    write('shipping.md', '---\ntitle: Shipping\n---\nOrders ship in 2 days.\n');
    await importKbDirectory(kb, dir, 'test');
    write('shipping.md', '---\ntitle: Shipping\n---\nOrders ship in 1 day.\n');
    write('returns.md', '---\ntitle: Returns\n---\nWithin 30 days.\n');
    write('bad.md', '---\ntitle: Bad\nquestions: not a list\n---\nBody\n');

    expect(await importProblems(dir)).toHaveLength(2);
    const articles = await kb.list();
    expect(articles.map((a) => [a.slug, a.version, a.body])).toEqual([['shipping', 1, 'Orders ship in 2 days.']]);
  });

  it('says there is no folder instead of a raw scandir error', async () => {
    const missing = join(dir, 'kbb');
    expect(await importProblems(missing)).toEqual([`no folder at ${missing} (give the folder of your Markdown articles)`]);
  });

  it('says a file is not a folder, and that a folder without Markdown files has no articles', async () => {
    write('notes.txt', 'not an article');
    expect(await importProblems(join(dir, 'notes.txt'))).toEqual([
      `${join(dir, 'notes.txt')} is a file, not a folder (give the folder of your Markdown articles)`,
    ]);
    expect(await importProblems(dir)).toEqual([
      `no Markdown files (*.md) in ${dir}: each article is one .md file with front matter, as in examples/kb`,
    ]);
  });

  it('still imports a good folder, with lists written as numbers or left empty', async () => {
    write('numbers.md', '---\ntitle: Numbers\nquestions:\n  - 42\n  - What is 42?\ntags:\n---\nForty-two.\n');
    const result = await importKbDirectory(kb, dir, 'test');
    expect(result.created).toEqual(['numbers']);
    const [article] = await kb.list();
    expect(article).toMatchObject({ questions: ['42', 'What is 42?'], tags: [] });
  });
});

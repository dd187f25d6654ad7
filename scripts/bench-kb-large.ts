/**
 * Writes a large Chinese KB benchmark data set (DESIGN §4 format): by default 1,500 articles
 * with one example question each, built from the BQ development set, to time `bench kb` (and
 * so `kb import`) at a size where per-article database work shows.
 *
 *   npx tsx scripts/bench-kb-large.ts [--articles 1500] [--from ../shared/bench/bq-zh-dev-300.json] [--out FILE]
 *   node bin/solodesk.js bench kb --dataset FILE
 *
 * The 300 BQ articles come first, unchanged, with the BQ queries. Half their out-of-scope query
 * texts become the next articles (those queries then expect them), then reworded copies of the BQ
 * titles ("请问…", "…怎么办") and, every tenth, an exact copy of a title: many titles share a
 * slug prefix or a whole slug, as a real imported FAQ does. Deterministic: same input, same file.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseDataset, type KbDataset } from '../src/kb/bench/index.ts';

const args = process.argv.slice(2);
const value = (name: string): string | undefined => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const size = Number(value('--articles') ?? 1_500);
const source = value('--from') ?? new URL('../../shared/bench/bq-zh-dev-300.json', import.meta.url).pathname;
const out = value('--out') ?? join(tmpdir(), `solodesk-bench-kb-zh-${size}.json`);

const bq = parseDataset(readFileSync(source, 'utf8'));
const articles: KbDataset['articles'] = bq.articles.slice(0, size).map((a) => ({ ...a, questions: a.questions.slice(0, 1), language: 'zh' }));
const queries: KbDataset['queries'] = bq.queries.map((q) => ({ ...q }));
const titles = new Set(articles.map((a) => a.title));

const add = (title: string): string | undefined => {
  if (articles.length >= size) return undefined;
  const id = `large${String(articles.length).padStart(5, '0')}`;
  articles.push({ id, title, body: '', questions: [title], tags: [], language: 'zh' });
  titles.add(title);
  return id;
};

// every other out-of-scope query stays out of scope, so escalation is still measured
let outOfScope = 0;
for (const q of queries) {
  if (q.expected !== null || outOfScope++ % 2 === 0 || titles.has(q.text)) continue;
  const id = add(q.text);
  if (id) q.expected = id;
}

const openers = ['请问', '我想问一下', '你好，', '麻烦问下'];
const closers = ['怎么办', '是什么原因', '该怎么处理', '呢'];
for (let round = 0; articles.length < size; round++) {
  for (let i = 0; i < bq.articles.length && articles.length < size; i++) {
    const base = (bq.articles[i] as KbDataset['articles'][number]).title.replace(/[？?。！!]+$/, '');
    const n = round * bq.articles.length + i;
    const title = n % 10 === 0 ? base : `${openers[n % openers.length]}${base}${closers[(n >> 2) % closers.length]}`;
    add(title);
  }
}

const dataset = parseDataset({ name: `bq-zh-large-${articles.length}`, language: 'zh', articles, queries });
writeFileSync(out, `${JSON.stringify(dataset)}\n`);
console.log(`${out}: ${dataset.articles.length} articles, ${dataset.queries.length} queries (${dataset.queries.filter((q) => q.expected === null).length} out of scope)`);

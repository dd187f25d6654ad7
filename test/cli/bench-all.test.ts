import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { runKbBench } from '../../src/cli/bench-kb.ts';
import { loadConfig } from '../../src/config/env.ts';

// `bench kb --all` (what `npm run bench:kb` runs) on a fresh clone, where ../shared/bench is not
// there, and beside it. Run in process with a small synthetic set: the 10,000-article one takes
// most of a minute, and the folder choice is the same whatever its size.

const scratch = mkdtempSync(join(tmpdir(), 'solodesk-bench-all-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));
afterEach(() => vi.restoreAllMocks());

const CONTRACT_KEYS = ['queries', 'in_scope', 'out_of_scope', 'answered', 'answered_correct', 'precision', 'coverage', 'oos_escalation', 'top1', 'p50_ms', 'p99_ms'];

async function printed(sharedBench: string): Promise<string[]> {
  const lines: string[] = [];
  vi.spyOn(console, 'log').mockImplementation((...args: unknown[]) => lines.push(...args.join(' ').split('\n')));
  await runKbBench(loadConfig({}), { all: true }, { sharedBench, scaleArticles: 20 });
  return lines;
}

/** The JSON line that closes each dataset's block (blocks start with a blank line). */
function contractLines(lines: string[]): Array<Record<string, unknown>> {
  const ends = lines.flatMap((line, i) => (line === '' && i > 0 ? [i - 1] : [])).concat(lines.length - 1);
  return ends.filter((i) => lines[i]!.startsWith('{')).map((i) => JSON.parse(lines[i]!));
}

describe('bench kb --all', () => {
  it('without ../shared/bench says so first, then runs the synthetic set and the sample KB', async () => {
    const lines = await printed(join(scratch, 'no-shared-bench'));
    expect(lines[0]).toBe(
      `# no benchmark sets at ${join(scratch, 'no-shared-bench')}: running what the repo has, the synthetic scale set and the sample KB (examples/kb, each article's first example question held out)`,
    );
    expect(lines[1]).toMatch(/^# synthetic scale: 20 articles — \{"articles":20,/);
    expect(lines.filter((l) => /^# examples-kb( \(learn mode\))? — /.test(l))).toHaveLength(2);
    const contracts = contractLines(lines);
    expect(contracts).toHaveLength(2);
    for (const contract of contracts) {
      expect(Object.keys(contract)).toEqual(expect.arrayContaining(CONTRACT_KEYS));
      expect(contract).toMatchObject({ queries: 20, in_scope: 15, out_of_scope: 5 });
    }
    expect(lines.at(-1)!.startsWith('{')).toBe(true);
  }, 240_000);

  it('with the folder there says which folder it runs, first', async () => {
    const shared = join(scratch, 'shared-bench');
    mkdirSync(shared);
    writeFileSync(
      join(shared, 'tiny.json'),
      JSON.stringify({
        name: 'tiny',
        articles: [{ id: 'pw', title: 'Reset your password', body: 'Use the link.', questions: ['How do I reset my password?'] }],
        queries: [{ text: 'How do I reset my password?', expected: 'pw' }, { text: 'Do you sell gift cards?', expected: null }],
      }),
    );
    const lines = await printed(shared);
    expect(lines[0]).toBe(`# benchmark sets from ${shared}: 1 file`);
    expect(lines.filter((l) => /^# tiny( \(learn mode\))? — /.test(l))).toHaveLength(2);
    expect(lines.some((l) => l.startsWith('# examples-kb'))).toBe(false);
    expect(contractLines(lines).map((c) => c.queries)).toEqual([2, 2]);
  }, 240_000);
});

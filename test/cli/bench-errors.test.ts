import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

// `solodesk bench kb` with a dataset that is missing or not JSON names the file and the place;
// its help documents the dataset format itself (the design notes are not in the repo).

const scratch = mkdtempSync(join(tmpdir(), 'solodesk-bench-cli-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function bench(args: string[]) {
  const { DATABASE_URL: _ignored, ...env } = process.env;
  return spawnSync('node', [resolve('bin/solodesk.js'), 'bench', 'kb', ...args], { cwd: scratch, env, encoding: 'utf8' });
}

describe('solodesk bench kb: what it says when the input is wrong', () => {
  it('a missing dataset file: no dataset file at …', () => {
    const run = bench(['--dataset', 'missing.json']);
    expect(run.status).toBe(1);
    expect(run.stderr).toBe('solodesk: no dataset file at missing.json (give a dataset JSON file; `solodesk bench kb --help` shows its format)\n');
  });

  it('a dataset that is not JSON: the file, the line and the column', () => {
    writeFileSync(join(scratch, 'broken.json'), '{\n  "name": "x",\n}\n');
    const run = bench(['--dataset', 'broken.json']);
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/^solodesk: broken\.json is not valid JSON at line 3, column 1 \(position 17\): \S.*\n$/);
  });

  it('a missing --all folder: no folder at …', () => {
    const run = bench(['--all', 'no-such-folder']);
    expect(run.status).toBe(1);
    expect(run.stderr).toBe('solodesk: no folder at no-such-folder (give the folder of your dataset JSON files)\n');
  });

  it('--help documents the dataset format and cites nothing outside the repo', () => {
    const run = bench(['--help']);
    expect(run.status).toBe(0);
    expect(run.stdout).not.toMatch(/DESIGN/);
    expect(run.stdout).toMatch(/"articles": \[\{ "id", "title", "body", "questions": \[…\], "tags": \[…\], "lang" \}\]/);
    expect(run.stdout).toMatch(/"expected": article id, or null/);
    expect(run.stdout).toMatch(/examples\/kb/);
  });
});

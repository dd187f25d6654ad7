import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

// What `solodesk kb import|export` print when the folder, a file or the database is wrong: one
// line per problem, naming the path or the variable and what to do.

const scratch = mkdtempSync(join(tmpdir(), 'solodesk-kb-cli-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));
const BIN = resolve('bin/solodesk.js');

function solodesk(args: string[], env: Record<string, string> = {}) {
  const { DATABASE_URL: _ignored, ...base } = process.env;
  return spawnSync('node', [BIN, ...args], {
    cwd: scratch,
    env: { ...base, SOLODESK_DATA_DIR: join(scratch, 'data'), LOG_LEVEL: 'silent', ...env },
    encoding: 'utf8',
  });
}

describe('solodesk kb import', () => {
  it('lists every bad file in one run and opens no database', () => {
    const folder = join(scratch, 'bad-kb');
    mkdirSync(folder);
    writeFileSync(join(folder, 'good.md'), '---\ntitle: Good\n---\nBody\n');
    writeFileSync(join(folder, 'reset-password.md'), '---\ntitle: Reset\nquestions: How do I reset it?\n---\nBody\n');
    writeFileSync(join(folder, 'refund.md'), '---\nquestions: [Refund?]\n---\nBody\n');
    const run = solodesk(['kb', 'import', 'bad-kb']);
    expect(run.status).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr.trim().split('\n')).toEqual([
      "solodesk: kb import: refund.md: front matter has no `title`: add `title: <the article's title>` between the --- markers",
      'solodesk: kb import: reset-password.md: front matter `questions` must be a list of strings (one example question per line, each starting with "- ")',
      'solodesk: kb import: 2 of 3 files in bad-kb have problems; nothing was imported',
    ]);
    // Checked before the database was opened: nothing was written, not even a data folder.
    expect(existsSync(join(scratch, 'data'))).toBe(false);
  });

  it('says there is no folder instead of a raw ENOENT … scandir', () => {
    const run = solodesk(['kb', 'import', './kbb']);
    expect(run.status).toBe(1);
    expect(run.stderr).toBe('solodesk: kb import: no folder at ./kbb (give the folder of your Markdown articles)\n');
  });
});

describe('solodesk kb export', () => {
  it('names the path it cannot write to', () => {
    writeFileSync(join(scratch, 'a-file'), 'not a folder');
    const run = solodesk(['kb', 'export', 'a-file/kb']);
    expect(run.status).toBe(1);
    expect(run.stderr).toBe('solodesk: kb export: cannot write to a-file/kb (a part of the path is a file, not a folder); give a folder you can write to\n');
    expect(existsSync(join(scratch, 'data'))).toBe(false);
  });
});

describe('a kb command with DATABASE_URL on a closed port', () => {
  it('names DATABASE_URL and what to do, fast, and never prints the password', async () => {
    const server = createServer();
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
    const { port } = server.address() as { port: number };
    await new Promise((done) => server.close(done));
    const started = Date.now();
    const run = solodesk(['kb', 'list'], { DATABASE_URL: `postgresql://solodesk:Hunter2-Secret@127.0.0.1:${port}/solodesk` });
    expect(run.status).toBe(1);
    expect(run.stderr).toBe(
      `solodesk: cannot reach the database at DATABASE_URL (127.0.0.1:${port}: connection refused); check that PostgreSQL runs there, or unset DATABASE_URL to use the embedded database\n`,
    );
    expect(run.stderr).not.toContain('Hunter2-Secret');
    expect(Date.now() - started).toBeLessThan(20_000);
  });
});

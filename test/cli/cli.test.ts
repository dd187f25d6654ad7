import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/db/open-database.ts';

const dataDir = mkdtempSync(join(tmpdir(), 'solodesk-cli-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

function solodesk(args: string[], env: Record<string, string> = {}) {
  const { DATABASE_URL: _ignored, ...base } = process.env;
  return spawnSync('node', ['bin/solodesk.js', ...args], {
    env: { ...base, SOLODESK_DATA_DIR: dataDir, LOG_LEVEL: 'silent', ...env },
    encoding: 'utf8',
  });
}

describe('solodesk command line', () => {
  it('lists only commands that exist, with help for each', () => {
    const help = solodesk(['--help']);
    expect(help.status).toBe(0);
    expect(help.stdout).toMatch(/start/);
    expect(help.stdout).toMatch(/migrate/);
    expect(solodesk(['migrate', '--help']).stdout).toMatch(/apply pending database migrations/);
  });

  it('stops on bad configuration with one line naming the variable', () => {
    const run = solodesk(['start'], { DATABASE_URL: 'nonsense' });
    expect(run.status).not.toBe(0);
    const lines = run.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/DATABASE_URL/);
  });

  it('refuses a chat app with no founder console: one line naming the variables, before anything is touched', () => {
    const untouched = join(dataDir, 'never-created');
    const run = solodesk(['start'], { TELEGRAM_BOT_TOKEN: '123456:RefusedTokenValue', SOLODESK_DATA_DIR: untouched, PORT: '0' });
    expect(run.status).toBe(1);
    const lines = run.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^solodesk: invalid configuration: FOUNDER_TELEGRAM_IDS: TELEGRAM_BOT_TOKEN lets customers in/);
    expect(lines[0]).toMatch(/SLACK_FOUNDER_CHANNEL/);
    expect(run.stderr).not.toContain('RefusedTokenValue');
    // Refused before the port and the database: no data folder was made.
    expect(existsSync(untouched)).toBe(false);
  });

  it('migrates the embedded database, then finds it up to date', () => {
    // A new folder starts from the install's template, which already holds the migrations of this
    // checkout (scripts/pglite-template.mjs); without the template they are applied here.
    const migrations = readdirSync('prisma/migrations').filter((d) => /^\d+_/.test(d)).length;
    const first = solodesk(['migrate']).stdout;
    const applied = Number(/applied (\d+) migration/.exec(first)?.[1] ?? 0) + Number(/\((\d+) migration\(s\) applied before\)/.exec(first)?.[1] ?? 0);
    expect(applied).toBe(migrations);
    expect(solodesk(['migrate']).stdout).toMatch(new RegExp(`up to date \\(${migrations} migration`));
  });

  it('refuses to open an embedded database another process holds, with a clear message', async () => {
    const db = await openDatabase({ dataDir });
    try {
      const run = solodesk(['migrate']);
      expect(run.status).toBe(1);
      expect(run.stderr).toMatch(/in use by another Solodesk process .*DATABASE_URL/);
    } finally {
      await db.close();
    }
    expect(solodesk(['migrate']).status).toBe(0);
  });
});

import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';

// Stopping and starting the real process, as an operator does: `npm start` and SIGTERM, npm
// killed outright, Ctrl-C in a terminal, a port that is already taken. Each run gets its own
// embedded database folder; the platform variables are left out (no channel needed here).

const scratch = mkdtempSync(join(tmpdir(), 'solodesk-lifecycle-'));
const children: ChildProcess[] = [];
let dirs = 0;
/** The runs that wait until ready share one folder: the second finds the sample KB imported. */
const readyDataDir = join(scratch, 'ready');

afterEach(() => {
  // A test that failed halfway must not leave a server behind.
  for (const child of children.splice(0)) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
});
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function environment(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, PORT: '0', LOG_LEVEL: 'info', ...extra };
  for (const name of Object.keys(env)) {
    if (/^(DATABASE_URL|TELEGRAM_|SLACK_|WECHAT|OPENAI_)/.test(name)) delete env[name];
  }
  return env;
}

function freshDataDir(): string {
  return join(scratch, `data-${++dirs}`);
}

/** The server's own log records (JSON lines on stderr), as they arrive. */
function logOf(child: ChildProcess): { records: Array<Record<string, unknown>>; raw: () => string } {
  const records: Array<Record<string, unknown>> = [];
  let raw = '';
  let partial = '';
  child.stderr!.on('data', (chunk: Buffer) => {
    raw += chunk.toString('utf8');
    partial += chunk.toString('utf8');
    const lines = partial.split('\n');
    partial = lines.pop()!;
    for (const line of lines) {
      try {
        records.push(JSON.parse(line) as Record<string, unknown>);
      } catch {
        // npm's own lines
      }
    }
  });
  return { records, raw: () => raw };
}

/** Waits for `find` to find something; fails at once if `child` ends first. */
async function until<T>(find: () => T | undefined, what: string, child?: ChildProcess): Promise<T> {
  for (;;) {
    const found = find();
    if (found !== undefined) return found;
    if (child && (child.exitCode !== null || child.signalCode !== null)) throw new Error(`the process ended before ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

function exited(child: ChildProcess): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve({ code: child.exitCode, signal: child.signalCode });
  return new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function portIsFree(port: number): Promise<boolean> {
  const probe = createServer();
  return new Promise((resolve) => {
    probe.once('error', () => resolve(false));
    probe.listen(port, () => probe.close(() => resolve(true)));
  });
}

function npmStart(dataDir: string): { npm: ChildProcess; log: ReturnType<typeof logOf> } {
  const npm = spawn('npm', ['start'], { env: environment({ SOLODESK_DATA_DIR: dataDir }), stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(npm);
  return { npm, log: logOf(npm) };
}

describe('npm start', () => {
  it('SIGTERM to npm stops the node server: no orphan, the port and the data folder are free', async () => {
    const dataDir = readyDataDir;
    const { npm, log } = npmStart(dataDir);
    await until(() => log.records.find((r) => r.msg === 'solodesk is ready'), 'it was ready', npm);
    const { port, pid } = log.records.find((r) => r.msg?.toString().startsWith('listening')) as { port: number; pid: number };
    expect(pid).not.toBe(npm.pid);

    npm.kill('SIGTERM');
    const ended = await exited(npm);
    // npm waited for the server: by the time npm is gone, so is node, after a clean stop.
    expect(isAlive(pid)).toBe(false);
    expect(ended).toEqual({ code: 0, signal: null });
    expect(log.records.map((r) => r.msg)).toEqual(expect.arrayContaining(['stopping', 'stopped']));
    expect(await portIsFree(port)).toBe(true);
    expect(existsSync(join(dataDir, 'solodesk.lock'))).toBe(false);
  });

  it('the server stops by itself when npm is killed outright (SIGKILL: nothing is forwarded)', async () => {
    const dataDir = freshDataDir();
    const { npm, log } = npmStart(dataDir);
    const { port, pid } = await until(
      () => log.records.find((r) => r.msg?.toString().startsWith('listening')) as { port: number; pid: number } | undefined,
      'it listened',
      npm,
    );
    npm.kill('SIGKILL');
    await exited(npm);
    // The server is now nobody's child; it notices and stops (at the next step of its start).
    await until(() => (isAlive(pid) ? undefined : true), 'the orphaned server ended');
    expect(await portIsFree(port)).toBe(true);
    expect(existsSync(join(dataDir, 'solodesk.lock'))).toBe(false);
  });
});

describe('solodesk start in a terminal', () => {
  it('the first Ctrl-C stops it, console included, and the process ends by itself', async () => {
    const dataDir = readyDataDir;
    // `script` runs the command on a pseudo-terminal: stdin is a TTY, so the console channel runs.
    // It runs it through $SHELL -c; `exec` makes node the shell's replacement, not its child:
    // dash (CI's /bin/sh) stays as the parent, dies of the same Ctrl-C, and `script` then reports
    // the shell's 130 instead of our exit code.
    const terminal = spawn('script', ['-qfec', `exec ${process.execPath} bin/solodesk.js start`, '/dev/null'], {
      // The same shell on every machine (the runner's SHELL differs between CI and a laptop).
      env: environment({ SOLODESK_DATA_DIR: dataDir, LOG_LEVEL: 'warn', SHELL: '/bin/sh' }),
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    children.push(terminal);
    let screen = '';
    terminal.stdout!.on('data', (chunk: Buffer) => (screen += chunk.toString('utf8')));
    await until(() => (screen.includes('type as a customer') ? true : undefined), 'the console was up', terminal);

    terminal.stdin!.write('\x03');
    const ended = await exited(terminal);
    // The screen goes with a failure: it shows how far the stop got.
    expect(ended, screen).toEqual({ code: 0, signal: null });
    expect(screen).not.toContain('did not end by itself');
    expect(screen).not.toMatch(/PGlite is closed/);
    expect(existsSync(join(dataDir, 'solodesk.lock'))).toBe(false);
  });
});

describe('a port already in use', () => {
  it('fails at once with one line naming PORT, before the database folder is touched', async () => {
    const occupant = createServer();
    await new Promise<void>((resolve) => occupant.listen(0, resolve));
    const port = (occupant.address() as { port: number }).port;
    const dataDir = freshDataDir();
    try {
      const run = spawnSync(process.execPath, ['bin/solodesk.js', 'start'], {
        env: environment({ PORT: String(port), SOLODESK_DATA_DIR: dataDir }),
        encoding: 'utf8',
      });
      expect(run.status).toBe(1);
      expect(run.stderr.trim().split('\n')).toEqual([`solodesk: PORT: ${port} is already in use by another process; stop it, or set PORT to a free port`]);
      expect(existsSync(dataDir)).toBe(false);
    } finally {
      await new Promise((resolve) => occupant.close(resolve));
    }
  });
});

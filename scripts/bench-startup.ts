/**
 * `npm run bench:startup`: how long a founder waits in the first hour (issue 19). Each step runs
 * as a real process, as a person runs it, `--runs` times; the median is reported:
 *   start (first)   `solodesk start` on an empty data folder until GET /healthz answers 200; its
 *                   memory then (the sample KB's first fit runs in a worker thread meanwhile)
 *   start (restart) the same on the folder the first start left, once that start had kept its
 *                   KB fit (a desk runs longer than the seconds a fit takes); its memory then
 *   npm start       the restart through npm (what the README says to type)
 *   --help, kb list, kb search, migrate   run to exit on that folder
 *   kb search after a change              the same after `kb import` changed an article: the
 *                   KB must be fitted again (kb/retrieval/fit-cache.ts keeps fits of unchanged KBs)
 *   kb list while the server runs         (a second process on the embedded database)
 * `--database-url URL` times the desk on PostgreSQL instead of the embedded database: each run gets
 * a new database on that server (URL names one to connect to for CREATE DATABASE).
 * `--app-dir DIR` times another checkout (e.g. an older version, for a before/after table). The
 * machine is shared: compare two checkouts in one run rather than runs made at different times.
 * The last line is one JSON object.
 */
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { freePort } from '../test/support/solodesk-process.ts';

const args = process.argv.slice(2);
const option = (name: string, fallback: string): string => {
  const at = args.indexOf(name);
  return at >= 0 && args[at + 1] !== undefined ? args[at + 1]! : fallback;
};
const appDir = resolve(option('--app-dir', resolve(import.meta.dirname, '..')));
const runs = Number(option('--runs', '3'));
const adminUrl = option('--database-url', '');

/** The environment of a desk with no platform: embedded database in `dataDir`, nothing else of ours. */
function deskEnv(dataDir: string, port: number): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!/^(DATABASE_URL|SOLODESK_|TELEGRAM_|SLACK_|WECHAT|WECOM_|OPENAI_|LLM_|WEB_)/.test(k)) env[k] = v;
  return { ...env, SOLODESK_DATA_DIR: dataDir, PORT: String(port), LOG_LEVEL: 'warn' };
}

/** Seconds until the command exits. */
function timeCommand(command: string[], env: NodeJS.ProcessEnv): { seconds: number; status: number | null; output: string } {
  const started = performance.now();
  const run = spawnSync(command[0]!, command.slice(1), { cwd: appDir, env, encoding: 'utf8' });
  return { seconds: (performance.now() - started) / 1000, status: run.status, output: `${run.stdout}${run.stderr}` };
}

/** Starts the server, waits for /healthz 200; its seconds, its RSS then, and a stop function. */
async function timeStart(command: string[], env: NodeJS.ProcessEnv, port: number): Promise<{ seconds: number; rssMb: number | null; stop: () => Promise<void> }> {
  const started = performance.now();
  const child = spawn(command[0]!, command.slice(1), { cwd: appDir, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  let output = '';
  child.stdout.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr.on('data', (c: Buffer) => (output += c.toString()));
  const exited = new Promise<void>((done) => child.once('exit', () => done()));
  for (;;) {
    if (child.exitCode !== null) throw new Error(`the server exited before it was ready:\n${output}`);
    try {
      const res = await fetch(`http://127.0.0.1:${port}/healthz`, { signal: AbortSignal.timeout(1_000) });
      if (res.status === 200) break;
    } catch {
      // not listening yet
    }
    if (performance.now() - started > 180_000) throw new Error(`not ready after 180 s:\n${output}`);
    await new Promise((r) => setTimeout(r, 20));
  }
  const seconds = (performance.now() - started) / 1000;
  return {
    seconds,
    rssMb: serverRssMb(child.pid!),
    async stop() {
      // The whole group: `npm start` runs node under a shell.
      process.kill(-child.pid!, 'SIGTERM');
      await exited;
      await new Promise((r) => setTimeout(r, 200));
    },
  };
}

/** The RSS of the node process serving (for npm, its child), in MB. */
function serverRssMb(pid: number): number | null {
  const pids = [pid, ...descendants(pid)];
  let best: number | null = null;
  for (const p of pids) {
    try {
      const status = readFileSync(`/proc/${p}/status`, 'utf8');
      const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
      best = Math.max(best ?? 0, kb / 1024);
    } catch {
      // gone
    }
  }
  return best === null ? null : Math.round(best);
}

function descendants(pid: number): number[] {
  try {
    const children = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
    return children.flatMap((c) => [c, ...descendants(c)]);
  } catch {
    return [];
  }
}

/** A new, empty database on the server of `adminUrl`, and how to drop it. */
async function freshDatabase(adminUrl: string, run: number): Promise<{ url: string; drop: () => Promise<void> }> {
  const { default: pg } = await import('pg');
  const name = `solodesk_startup_${process.pid}_${run}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE "${name}"`);
  await admin.end();
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const again = new pg.Client({ connectionString: adminUrl });
      await again.connect();
      await again.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      await again.end();
    },
  };
}

/** Waits (up to a minute) until the server has kept a KB fit in the data folder (a checkout that keeps none: not at all). */
async function fitKept(dataDir: string): Promise<void> {
  if (!existsSync(join(appDir, 'src', 'kb', 'retrieval', 'fit-cache.ts'))) return;
  const dir = join(dataDir, 'kb-fits');
  for (let waited = 0; waited < 60_000; waited += 100) {
    if (existsSync(dir) && readdirSync(dir).some((f) => f.endsWith('.fit'))) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`no KB fit kept in ${dir} after a minute`);
}

/** The sample KB with one example question more, in a folder of the run's own. */
function changedSampleKb(dataDir: string): string {
  const dir = join(dataDir, 'changed-kb');
  cpSync(join(appDir, 'examples', 'kb'), dir, { recursive: true });
  const file = readdirSync(dir).find((f) => f.endsWith('.md'))!;
  const text = readFileSync(join(dir, file), 'utf8');
  writeFileSync(join(dir, file), text.replace(/^questions:\n/m, 'questions:\n  - "a question added for bench:startup"\n'));
  return dir;
}

const median = (xs: number[]): number => {
  const sorted = [...xs].sort((a, b) => a - b);
  return Math.round(sorted[Math.floor(sorted.length / 2)]! * 100) / 100;
};

const node = [process.execPath, 'bin/solodesk.js'];
const samples: Record<string, number[]> = {};
const add = (name: string, value: number | null): void => {
  if (value !== null) (samples[name] ??= []).push(value);
};
for (let run = 0; run < runs; run++) {
  const dataDir = mkdtempSync(join(tmpdir(), 'solodesk-startup-'));
  const port = await freePort();
  const database = adminUrl ? await freshDatabase(adminUrl, run) : undefined;
  const env = { ...deskEnv(dataDir, port), ...(database ? { DATABASE_URL: database.url } : {}) };
  try {
    const first = await timeStart([...node, 'start'], env, port);
    add('start_first_s', first.seconds);
    add('rss_after_first_start_mb', first.rssMb);
    await fitKept(dataDir);
    await first.stop();
    const again = await timeStart([...node, 'start'], env, port);
    add('start_restart_s', again.seconds);
    add('rss_after_start_mb', again.rssMb);
    const busy = timeCommand([...node, 'kb', 'list'], env);
    add('kb_list_while_running_s', busy.seconds);
    if (run === 0) console.error(`kb list while the server runs said: ${busy.output.trim().split('\n').at(-1)}`);
    await again.stop();
    const viaNpm = await timeStart(['npm', 'start', '--silent'], env, port);
    add('npm_start_restart_s', viaNpm.seconds);
    await viaNpm.stop();
    add('help_s', timeCommand([...node, '--help'], env).seconds);
    add('kb_list_s', timeCommand([...node, 'kb', 'list'], env).seconds);
    add('kb_search_s', timeCommand([...node, 'kb', 'search', 'How do I reset my password?'], env).seconds);
    add('migrate_s', timeCommand([...node, 'migrate'], env).seconds);
    const changed = changedSampleKb(dataDir);
    if (timeCommand([...node, 'kb', 'import', changed], env).status !== 0) throw new Error('kb import of the changed sample KB failed');
    add('kb_search_after_change_s', timeCommand([...node, 'kb', 'search', 'How do I reset my password?'], env).seconds);
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
    await database?.drop();
  }
}
const result = Object.fromEntries(Object.entries(samples).map(([k, v]) => [k, median(v)]));
console.log(`# ${appDir}: median of ${runs} run(s)`);
for (const [k, v] of Object.entries(result)) console.log(`${k.padEnd(26)} ${v}`);
console.log(JSON.stringify({ appDir, runs, database: adminUrl ? 'postgresql' : 'embedded', ...result }));

/**
 * Solodesk as a real process: `node bin/solodesk.js start` with its own environment, waited on
 * until GET /healthz answers 200. Used by the reliability tests (crash, two processes, platform
 * faults) and by `npm run bench:load`. Also: a fresh PostgreSQL database per run, and the
 * process's CPU time and memory from /proc.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import pg from 'pg';

export const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** Every variable the configuration reads: the child gets only what the caller gives it. */
const DESK_VARIABLES = [
  'DATABASE_URL', 'SOLODESK_DATA_DIR', 'PORT', 'PUBLIC_URL', 'LOG_LEVEL',
  'TELEGRAM_BOT_TOKEN', 'TELEGRAM_WEBHOOK_SECRET', 'TELEGRAM_API_ROOT', 'FOUNDER_TELEGRAM_IDS',
  'SLACK_BOT_TOKEN', 'SLACK_SIGNING_SECRET', 'SLACK_APP_TOKEN', 'SLACK_API_URL', 'SLACK_FOUNDER_CHANNEL', 'SLACK_FOUNDER_USERS',
  'WECHATY_PUPPET', 'WECHATY_PUPPET_TOKEN', 'OPENAI_API_KEY', 'OPENAI_BASE_URL', 'OPENAI_MODEL', 'LLM_MODE',
  'BUSINESS_HOURS', 'BUSINESS_TIMEZONE', 'KB_ANSWER_THRESHOLD', 'KB_SUGGEST_THRESHOLD', 'FLOOD_LIMIT_PER_MINUTE',
  'WEB_CHAT', 'WEB_ALLOWED_ORIGINS', 'WEB_IDENTITY_SECRET',
];

export interface ProcessStats {
  /** User + system CPU time since the process started. */
  cpuSeconds: number;
  rssBytes: number;
  /** Peak resident set size (VmHWM). */
  peakRssBytes: number;
}

export interface SolodeskProcess {
  readonly pid: number;
  readonly port: number;
  /** `http://127.0.0.1:PORT` */
  readonly origin: string;
  readonly child: ChildProcess;
  /** Resolves when the process has exited (however it ended). */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  alive(): boolean;
  /** What the process wrote to stdout and stderr (the last 2 MB). */
  output(): string;
  /** Lines the process logged at level error or fatal (pino JSON). */
  errorLines(): string[];
  stats(): ProcessStats | undefined;
  /** SIGKILL: no shutdown code runs. */
  kill(): Promise<void>;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves with how it ended. */
  stop(graceMs?: number): Promise<{ code: number | null; signal: NodeJS.Signals | null; clean: boolean }>;
}

export interface StartOptions {
  /** The desk's environment (merged over a clean copy of this process's, without desk variables). */
  env: Record<string, string>;
  /** Default: a free port. */
  port?: number;
  /**
   * Where bin/solodesk.js lives: default SOLODESK_APP_DIR when set (to run the same checks
   * against another checkout, e.g. an older version), else this repository.
   */
  appDir?: string;
  /** Options for node itself, e.g. `--cpu-prof` (not allowed in NODE_OPTIONS). */
  nodeArgs?: string[];
  /** How long start-up (migrations, KB import, fitting) may take (default 90 s). */
  readyTimeoutMs?: number;
}

/** A port nobody listens on right now. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

export async function startSolodesk(options: StartOptions): Promise<SolodeskProcess> {
  const port = options.port ?? (await freePort());
  const base: Record<string, string | undefined> = { ...process.env };
  for (const name of DESK_VARIABLES) delete base[name];
  const child = spawn(process.execPath, [...(options.nodeArgs ?? []), 'bin/solodesk.js', 'start'], {
    cwd: options.appDir ?? (process.env.SOLODESK_APP_DIR || REPO_ROOT),
    env: { ...base, LOG_LEVEL: 'warn', ...options.env, PORT: String(port) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const errorLines: string[] = [];
  let partial = '';
  const collect = (chunk: Buffer): void => {
    const text = chunk.toString('utf8');
    output = (output + text).slice(-2_000_000);
    const lines = (partial + text).split('\n');
    partial = lines.pop() ?? '';
    for (const line of lines) if (isErrorLine(line)) errorLines.push(line.slice(0, 2000));
  };
  child.stdout!.on('data', collect);
  child.stderr!.on('data', collect);
  let exitedWith: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once('exit', (code, signal) => {
      exitedWith = { code, signal };
      resolve(exitedWith);
    });
  });
  const pid = child.pid!;
  const origin = `http://127.0.0.1:${port}`;
  const proc: SolodeskProcess = {
    pid,
    port,
    origin,
    child,
    exited,
    alive: () => exitedWith === undefined,
    output: () => output,
    errorLines: () => [...errorLines],
    stats: () => (exitedWith === undefined ? readProcessStats(pid) : undefined),
    async kill() {
      if (exitedWith === undefined) child.kill('SIGKILL');
      await exited;
    },
    async stop(graceMs = 15_000) {
      if (exitedWith !== undefined) return { ...exitedWith, clean: false };
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      const result = await exited;
      clearTimeout(timer);
      return { ...result, clean: result.signal === null && result.code === 0 };
    },
  };
  try {
    await waitForHealthy(proc, options.readyTimeoutMs ?? 90_000);
  } catch (error) {
    await proc.kill();
    throw error;
  }
  return proc;
}

function isErrorLine(line: string): boolean {
  if (!line.startsWith('{')) return false;
  try {
    const level = (JSON.parse(line) as { level?: unknown }).level;
    return typeof level === 'number' && level >= 50;
  } catch {
    return false;
  }
}

async function waitForHealthy(proc: SolodeskProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = 'no answer yet';
  while (Date.now() < deadline) {
    if (!proc.alive()) {
      const { code, signal } = await proc.exited;
      throw new Error(`solodesk exited before it was ready (code ${code}, signal ${signal}):\n${tail(proc.output())}`);
    }
    try {
      const res = await fetch(`${proc.origin}/healthz`, { signal: AbortSignal.timeout(2_000) });
      last = `${res.status} ${await res.text()}`;
      if (res.status === 200) return;
    } catch (error) {
      last = error instanceof Error ? error.message : String(error);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`solodesk was not healthy within ${timeoutMs} ms (last: ${last}):\n${tail(proc.output())}`);
}

function tail(text: string, lines = 40): string {
  return text.trimEnd().split('\n').slice(-lines).join('\n');
}

/** CPU time and memory of a running process, from /proc (Linux); undefined elsewhere. */
export function readProcessStats(pid: number): ProcessStats | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may hold spaces: count fields after its closing parenthesis.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(fields[11]) + Number(fields[12]); // utime, stime (fields 14, 15)
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kib = (name: string): number => Number(new RegExp(`^${name}:\\s+(\\d+)`, 'm').exec(status)?.[1] ?? 0) * 1024;
    return { cpuSeconds: ticks / CLOCK_TICKS, rssBytes: kib('VmRSS'), peakRssBytes: kib('VmHWM') };
  } catch {
    return undefined;
  }
}

/** USER_HZ: 100 on every Linux this runs on (getconf CLK_TCK). */
const CLOCK_TICKS = 100;

// PostgreSQL: every run gets a database of its own on the server of DATABASE_URL (or the local
// one), created here and dropped afterwards.

export function postgresAdminUrl(): string {
  return process.env.DATABASE_URL || 'postgresql://postgres@127.0.0.1:5432/postgres';
}

export interface FreshDatabase {
  url: string;
  drop(): Promise<void>;
}

export async function createFreshPostgresDatabase(prefix = 'solodesk_test', adminUrl = postgresAdminUrl()): Promise<FreshDatabase> {
  const name = `${prefix}_${randomBytes(6).toString('hex')}`;
  await withClient(adminUrl, (client) => client.query(`CREATE DATABASE "${name}"`));
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: () => withClient(adminUrl, (client) => client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`)).then(() => undefined),
  };
}

export async function withClient<T>(url: string, run: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await run(client);
  } finally {
    await client.end();
  }
}

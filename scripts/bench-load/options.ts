/** Command line of `npm run bench:load` (see README, "Load benchmark"). */

export type DbKind = 'pglite' | 'postgres';

export interface LoadOptions {
  dbs: DbKind[];
  mode: 'open' | 'closed';
  /** Open loop: new customer messages per second. */
  rate: number;
  /** Seconds of load (open and closed loop). */
  duration: number;
  /** Closed loop: deliveries in flight at once. */
  concurrency: number;
  /** Share of customers on Slack (the rest on Telegram). */
  slackShare: number;
  /** Connections per platform (Telegram allows a webhook at most 100). */
  connections: number;
  /** Deliveries of one message before the platform gives up on it. */
  maxAttempts: number;
  /** Seconds to wait, after the load, for every accepted message to be answered. */
  drainTimeout: number;
  /** Stop draining when nothing was acknowledged or answered for this many seconds. */
  drainIdle: number;
  /** Server where a fresh database is created for each PostgreSQL run. */
  pgAdminUrl: string;
  /** Checkout whose bin/solodesk.js runs (default this one). */
  appDir: string | undefined;
  /** Write the server's V8 CPU profile here and print where its time went. */
  profileDir: string | undefined;
}

export const USAGE = `npm run bench:load -- [options]

  --db pglite|postgres|both   database(s), one run each (default both)
  --mode open|closed          open loop at --rate, or closed loop at --concurrency (default open)
  --rate N                    open loop: new customer messages per second (default 200)
  --duration S                seconds of load (default 20)
  --concurrency N             closed loop: deliveries in flight (default 50)
  --slack-share X             share of customers on Slack, 0–1 (default 0.5)
  --connections N             keep-alive connections per platform (default 100)
  --max-attempts N            deliveries of one message before its platform gives up (default 50)
  --drain-timeout S           after the load, wait at most S seconds for replies (default 900)
  --drain-idle S              stop waiting when nothing moved for S seconds (default 60)
  --pg-url URL                PostgreSQL server for the fresh databases (default DATABASE_URL or
                              postgresql://postgres@127.0.0.1:5432/postgres)
  --app-dir DIR               run another checkout's bin/solodesk.js (default this one)
  --profile DIR               run the server with --cpu-prof into DIR and print where its CPU
                              time went (whole process life, start-up included)

Targets of issue 11 (report the numbers):
  npm run bench:load -- --db postgres --rate 500 --duration 60
  npm run bench:load -- --db postgres --rate 2000 --duration 10
  npm run bench:load -- --db pglite --rate 200 --duration 20
  npm run bench:load -- --db postgres --mode closed --concurrency 100 --duration 20`;

export function parseLoadOptions(argv: string[]): LoadOptions {
  const values = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--help' || arg === '-h') throw new UsageError('');
    if (!arg.startsWith('--')) throw new UsageError(`unexpected argument ${arg}`);
    const [name, inline] = arg.slice(2).split('=', 2) as [string, string | undefined];
    const value = inline ?? argv[++i];
    if (value === undefined) throw new UsageError(`--${name} needs a value`);
    values.set(name, value);
  }
  const known = ['db', 'mode', 'rate', 'duration', 'concurrency', 'slack-share', 'connections', 'max-attempts', 'drain-timeout', 'drain-idle', 'pg-url', 'app-dir', 'profile'];
  for (const name of values.keys()) if (!known.includes(name)) throw new UsageError(`unknown option --${name}`);
  const number = (name: string, fallback: number, min: number, max = Number.MAX_SAFE_INTEGER): number => {
    const raw = values.get(name);
    if (raw === undefined) return fallback;
    const n = Number(raw);
    if (!Number.isFinite(n) || n < min || n > max) throw new UsageError(`--${name} must be a number from ${min} to ${max}`);
    return n;
  };
  const db = values.get('db') ?? 'both';
  if (!['pglite', 'postgres', 'both'].includes(db)) throw new UsageError('--db must be pglite, postgres or both');
  const mode = values.get('mode') ?? 'open';
  if (mode !== 'open' && mode !== 'closed') throw new UsageError('--mode must be open or closed');
  return {
    dbs: db === 'both' ? ['postgres', 'pglite'] : [db as DbKind],
    mode,
    rate: number('rate', 200, 0.1),
    duration: number('duration', 20, 0.1),
    concurrency: Math.round(number('concurrency', 50, 1)),
    slackShare: number('slack-share', 0.5, 0, 1),
    connections: Math.round(number('connections', 100, 1)),
    maxAttempts: Math.round(number('max-attempts', 50, 1)),
    drainTimeout: number('drain-timeout', 900, 0),
    drainIdle: number('drain-idle', 60, 1),
    pgAdminUrl: values.get('pg-url') ?? (process.env.DATABASE_URL || 'postgresql://postgres@127.0.0.1:5432/postgres'),
    appDir: values.get('app-dir') ?? (process.env.SOLODESK_APP_DIR || undefined),
    profileDir: values.get('profile'),
  };
}

export class UsageError extends Error {}

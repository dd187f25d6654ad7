import { PrismaPg } from '@prisma/adapter-pg';
import { PrismaClient } from '@prisma/client';
import pg from 'pg';
import { SolodeskError } from '../errors.ts';
import { applyMigrations, readMigrations, type MigrationSession } from './migrate.ts';
import { closeOnce } from './close-once.ts';
import type { Database } from './database.ts';

// The database on a PostgreSQL server (DATABASE_URL): a pool shared by Prisma, and a connection
// of its own for migrations.

export function openPostgres(url: string): Database {
  const pool = new pg.Pool({ connectionString: url, max: 20 });
  // A pool error (server restart) must not crash the process; queries report it themselves.
  pool.on('error', () => undefined);
  const prisma = new PrismaClient({ adapter: new PrismaPg(pool) });
  // The connections lent out right now: a close that finds one never given back (a transaction
  // abandoned when Prisma disconnected) ends it after a grace, instead of waiting for ever.
  const lent = new Set<pg.PoolClient>();
  pool.on('acquire', (client) => lent.add(client));
  pool.on('release', (_error, client) => lent.delete(client));
  return {
    prisma,
    kind: 'postgresql',
    async migrate(migrations = readMigrations()) {
      // Every command and the service migrate first: this is where an unreachable server shows.
      const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: CONNECT_TIMEOUT_MS });
      try {
        await client.connect();
      } catch (error) {
        throw connectFailure(url, error);
      }
      try {
        const session: MigrationSession = {
          async query(sql, params) {
            return (await client.query(sql, params)).rows;
          },
          async exec(sql) {
            await client.query(sql);
          },
        };
        return await applyMigrations(session, migrations);
      } finally {
        await client.end();
      }
    },
    close: closeOnce(async () => {
      await prisma.$disconnect();
      const ended = pool.end();
      let timer: NodeJS.Timeout | undefined;
      const grace = new Promise<'late'>((resolve) => (timer = setTimeout(() => resolve('late'), CLOSE_GRACE_MS)));
      if ((await Promise.race([ended.then(() => 'ended' as const), grace])) === 'late') {
        for (const client of lent) client.release(new Error('the database is closing'));
        await ended;
      }
      clearTimeout(timer);
    }),
  };
}

/** A server that does not answer is reported after this, not after the operating system's minute or more. */
const CONNECT_TIMEOUT_MS = 5_000;

/** DATABASE_URL names a server Solodesk cannot use. The message names host and port, never the password. */
export class DatabaseConnectError extends SolodeskError {
  constructor(code: 'database_unreachable' | 'database_refused_login' | 'database_missing', message: string, options?: { cause?: unknown }) {
    super(code, message, options);
  }
}

const UNREACHABLE_REASONS: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  ENOTFOUND: 'no such host',
  EAI_AGAIN: 'no such host',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  ETIMEDOUT: `no answer within ${CONNECT_TIMEOUT_MS / 1000} s`,
  ECONNRESET: 'the connection was closed',
};

function connectFailure(url: string, error: unknown): unknown {
  const { hostname, port, pathname, username } = new URL(url);
  const where = `${hostname || 'localhost'}:${port || '5432'}`;
  const { code, message } = error as { code?: string; message?: string };
  if (code === '28P01' || code === '28000') {
    return new DatabaseConnectError('database_refused_login', `the database at DATABASE_URL (${where}) refused user "${decodeURIComponent(username)}"; check the user and password in DATABASE_URL`, { cause: error });
  }
  if (code === '3D000') {
    const name = decodeURIComponent(pathname.slice(1));
    return new DatabaseConnectError('database_missing', `the server at DATABASE_URL (${where}) has no database "${name}"; create it (createdb ${name}) or fix the name in DATABASE_URL`, { cause: error });
  }
  // pg ends a connect that outlives connectionTimeoutMillis with a plain "timeout" error.
  const reason = (code && UNREACHABLE_REASONS[code]) ?? (/timeout/i.test(message ?? '') ? UNREACHABLE_REASONS.ETIMEDOUT : undefined);
  if (!reason) return error;
  return new DatabaseConnectError(
    'database_unreachable',
    `cannot reach the database at DATABASE_URL (${where}: ${reason}); check that PostgreSQL runs there, or unset DATABASE_URL to use the embedded database`,
    { cause: error },
  );
}

/**
 * How long a close waits for connections still lent out: queries in flight finish well within it;
 * one still out after it was abandoned and would hold the close (and the process) for ever.
 */
const CLOSE_GRACE_MS = 5_000;


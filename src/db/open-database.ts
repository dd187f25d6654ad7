import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PGlite } from '@electric-sql/pglite';
import { PrismaPg } from '@prisma/adapter-pg';
import { PrismaClient } from '@prisma/client';
import pg from 'pg';
import { PrismaPGlite } from 'pglite-prisma-adapter';
import { lockDataDir } from './data-dir-lock.ts';
import { applyMigrations, readMigrations, type Migration, type MigrationResult, type MigrationSession } from './migrate.ts';

// One code path above the driver adapter: the rest of Solodesk sees a PrismaClient and never
// asks which database it is on.

export type DatabaseKind = 'postgresql' | 'pglite';

export interface Database {
  prisma: PrismaClient;
  kind: DatabaseKind;
  /** Applies prisma/migrations (or the given list, for tests) under the advisory lock. */
  migrate(migrations?: Migration[]): Promise<MigrationResult>;
  close(): Promise<void>;
}

export interface DatabaseOptions {
  /** postgresql:// URL; unset → embedded PGlite. */
  url?: string;
  /** PGlite data folder; `memory://` keeps it in memory (tests, benchmarks). */
  dataDir: string;
}

export async function openDatabase(options: DatabaseOptions): Promise<Database> {
  return options.url ? openPostgres(options.url) : openPglite(options.dataDir);
}

// Made by scripts/pglite-template.mjs at install time.
const PGLITE_TEMPLATE = fileURLToPath(new URL('../../node_modules/.cache/solodesk/pglite-template.tgz', import.meta.url));

/** A new data folder starts from the installed empty-cluster template when there is one (no initdb). */
function firstStartOptions(dataDir: string): { loadDataDir?: Blob } {
  if (existsSync(join(dataDir, 'pgdata', 'PG_VERSION')) || !existsSync(PGLITE_TEMPLATE)) return {};
  return { loadDataDir: new Blob([readFileSync(PGLITE_TEMPLATE)]) };
}

function pgliteSession(client: PGlite): MigrationSession {
  return {
    async query(sql, params) {
      return (await client.query(sql, params)).rows as never[];
    },
    async exec(sql) {
      await client.exec(sql);
    },
  };
}

function openPostgres(url: string): Database {
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
      const client = new pg.Client({ connectionString: url });
      await client.connect();
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
    close: once(async () => {
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

async function openPglite(dataDir: string): Promise<Database> {
  const inMemory = dataDir.startsWith('memory://');
  const lock = inMemory ? undefined : lockDataDir(resolve(dataDir));
  let client: PGlite;
  try {
    client = inMemory ? new PGlite() : new PGlite(join(resolve(dataDir), 'pgdata'), firstStartOptions(resolve(dataDir)));
    await client.waitReady;
  } catch (error) {
    lock?.release();
    throw error;
  }
  // pglite-prisma-adapter 0.6 bundles an older copy of Prisma's adapter types; the runtime
  // contract is the same (it runs the whole suite), only the declarations differ.
  const adapter = new PrismaPGlite(client) as unknown as PrismaPg;
  const prisma = new PrismaClient({ adapter });
  return {
    prisma,
    kind: 'pglite',
    migrate(migrations = readMigrations()) {
      return applyMigrations(pgliteSession(client), migrations);
    },
    close: once(async () => {
      await prisma.$disconnect();
      await client.close();
      lock?.release();
    }),
  };
}

/**
 * How long a close waits for connections still lent out: queries in flight finish well within it;
 * one still out after it was abandoned and would hold the close (and the process) for ever.
 */
const CLOSE_GRACE_MS = 5_000;

/** Closing twice (a failed start, then shutdown) must not throw: pg's pool.end() does the second time. */
function once(close: () => Promise<void>): () => Promise<void> {
  let closing: Promise<void> | undefined;
  return () => (closing ??= close());
}

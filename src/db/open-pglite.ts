import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PGlite } from '@electric-sql/pglite';
import type { PrismaPg } from '@prisma/adapter-pg';
import { PrismaClient } from '@prisma/client';
import { PrismaPGlite } from 'pglite-prisma-adapter';
import { lockDataDir } from './data-dir-lock.ts';
import { applyMigrations, readMigrations, type MigrationSession } from './migrate.ts';
import { closeOnce } from './close-once.ts';
import type { Database } from './database.ts';

// The embedded database (no DATABASE_URL): PGlite in this process, on a data folder only this
// process may hold.

// Made by scripts/pglite-template.mjs at install time.
const PGLITE_TEMPLATE = fileURLToPath(new URL('../../node_modules/.cache/solodesk/pglite-template.tgz', import.meta.url));

/** A new data folder starts from the installed empty-cluster template when there is one (no initdb). */
function firstStartOptions(dataDir: string): { loadDataDir?: Blob } {
  if (existsSync(join(dataDir, 'pgdata', 'PG_VERSION')) || !existsSync(PGLITE_TEMPLATE)) return {};
  return { loadDataDir: new Blob([readFileSync(PGLITE_TEMPLATE)]) };
}

/** Migrations run on a PGlite client directly (also by scripts/pglite-template.mjs, at install). */
export function pgliteSession(client: PGlite): MigrationSession {
  return {
    async query(sql, params) {
      return (await client.query(sql, params)).rows as never[];
    },
    async exec(sql) {
      await client.exec(sql);
    },
  };
}

export async function openPglite(dataDir: string): Promise<Database> {
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
    close: closeOnce(async () => {
      await prisma.$disconnect();
      await client.close();
      lock?.release();
    }),
  };
}


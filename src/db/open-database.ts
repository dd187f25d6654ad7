import type { Database, DatabaseOptions } from './database.ts';

// One code path above the driver adapter: the rest of Solodesk sees a PrismaClient and never
// asks which database it is on. Each driver is loaded only when it is the one configured: a
// command on the embedded database never loads pg, nor one on PostgreSQL PGlite.

export type { Database, DatabaseKind, DatabaseOptions } from './database.ts';

export async function openDatabase(options: DatabaseOptions): Promise<Database> {
  if (options.url) return (await import('./open-postgres.ts')).openPostgres(options.url);
  return (await import('./open-pglite.ts')).openPglite(options.dataDir);
}

import type { PrismaClient } from '@prisma/client';
import type { Migration, MigrationResult } from './migrate.ts';

// What the rest of Solodesk sees of a database, whichever driver is under it (open-database.ts).

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

import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { openDatabase, snapshotDatabase, type Database } from '../../src/db/open-database.ts';

// Each test file gets a database of its own: in-memory PGlite by default, or — when the suite
// runs with DATABASE_URL (the second pass of .ci/run) — a freshly created PostgreSQL database on
// that server, dropped afterwards.

export const onPostgres = Boolean(process.env.DATABASE_URL);

export interface TestDatabase {
  db: Database;
  /** The postgresql:// URL of this test's own database, when on PostgreSQL. */
  url: string | undefined;
  dispose(): Promise<void>;
}

// Each test starts from one migrated PGlite dump made once per worker: far faster than initdb.
let migratedSnapshot: Promise<Blob> | undefined;

export async function createTestDatabase(options: { migrate?: boolean } = {}): Promise<TestDatabase> {
  const url = onPostgres ? await createPostgresDatabase() : undefined;
  const snapshot = !url && options.migrate !== false ? await (migratedSnapshot ??= snapshotDatabase()) : undefined;
  const db = await openDatabase({ url: url?.toString(), dataDir: 'memory://', ...(snapshot ? { pgliteSnapshot: snapshot } : {}) });
  if (options.migrate !== false) await db.migrate();
  return {
    db,
    url,
    async dispose() {
      await db.close();
      if (url) await dropPostgresDatabase(url);
    },
  };
}

export async function createPostgresDatabase(): Promise<string> {
  const admin = new URL(process.env.DATABASE_URL!);
  const name = `solodesk_test_${randomBytes(6).toString('hex')}`;
  await withAdmin(admin, (client) => client.query(`CREATE DATABASE "${name}"`));
  const url = new URL(admin);
  url.pathname = `/${name}`;
  return url.toString();
}

export async function dropPostgresDatabase(url: string): Promise<void> {
  const name = new URL(url).pathname.slice(1);
  await withAdmin(new URL(process.env.DATABASE_URL!), (client) =>
    client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`),
  );
}

async function withAdmin<T>(url: URL, run: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url.toString() });
  await client.connect();
  try {
    return await run(client);
  } finally {
    await client.end();
  }
}

import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { openDatabase, type Database } from '../../src/db/open-database.ts';

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

// PGlite: one migrated database per worker process, emptied between tests (TRUNCATE is far
// cheaper than starting PGlite again). A test that asks for an unmigrated database gets its own.
let pooled: Database | undefined;
let pooledInUse = false;

export async function createTestDatabase(options: { migrate?: boolean } = {}): Promise<TestDatabase> {
  if (onPostgres) {
    const url = await createPostgresDatabase();
    const db = await openDatabase({ url, dataDir: '' });
    if (options.migrate !== false) await db.migrate();
    return {
      db,
      url,
      async dispose() {
        await db.close();
        await dropPostgresDatabase(url);
      },
    };
  }
  if (options.migrate === false || pooledInUse) {
    const db = await openDatabase({ dataDir: 'memory://' });
    if (options.migrate !== false) await db.migrate();
    return { db, url: undefined, dispose: () => db.close() };
  }
  if (!pooled) {
    pooled = await openDatabase({ dataDir: 'memory://' });
    await pooled.migrate();
  }
  pooledInUse = true;
  const db = pooled;
  return {
    db,
    url: undefined,
    async dispose() {
      await emptyDatabase(db);
      pooledInUse = false;
    },
  };
}

async function emptyDatabase(db: Database): Promise<void> {
  const tables = await db.prisma.$queryRawUnsafe<Array<{ name: string }>>(
    `SELECT quote_ident(tablename) AS name FROM pg_tables WHERE schemaname = 'public' AND tablename <> '_prisma_migrations'`,
  );
  await db.prisma.$executeRawUnsafe(`TRUNCATE ${tables.map((t) => t.name).join(', ')} RESTART IDENTITY CASCADE`);
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

import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readMigrations } from '../../src/db/migrate.ts';
import { createTestDatabase, onPostgres, type TestDatabase } from '../support/test-database.ts';

// The catalog of a database: everything a migration can get wrong.
const CATALOG_SQL = `
SELECT 'column' AS kind, table_name || '.' || column_name AS name,
       concat_ws(' ', data_type, udt_name, is_nullable, column_default, character_maximum_length) AS detail
  FROM information_schema.columns WHERE table_schema = 'public' AND table_name <> '_prisma_migrations'
UNION ALL
SELECT 'constraint', conrelid::regclass::text || '.' || conname, pg_get_constraintdef(oid)
  FROM pg_constraint WHERE connamespace = 'public'::regnamespace AND conrelid::regclass::text <> '"_prisma_migrations"' AND conrelid::regclass::text <> '_prisma_migrations'
UNION ALL
SELECT 'index', tablename || '.' || indexname, indexdef
  FROM pg_indexes WHERE schemaname = 'public' AND tablename <> '_prisma_migrations'
UNION ALL
SELECT 'enum', t.typname, string_agg(e.enumlabel, ',' ORDER BY e.enumsortorder)
  FROM pg_type t JOIN pg_enum e ON e.enumtypid = t.oid GROUP BY t.typname
ORDER BY 1, 2`;

describe('migrations', () => {
  let fromMigrations: TestDatabase;
  let fromSchema: TestDatabase;

  beforeAll(async () => {
    fromMigrations = await createTestDatabase();
    fromSchema = await createTestDatabase({ migrate: false });
  });
  afterAll(async () => {
    await fromMigrations.dispose();
    await fromSchema.dispose();
  });

  it('build the same database as schema.prisma (no drift)', async () => {
    const sql = execFileSync(
      'npx',
      ['prisma', 'migrate', 'diff', '--from-empty', '--to-schema-datamodel', 'prisma/schema.prisma', '--script'],
      { env: { ...process.env, DATABASE_URL: 'postgresql://offline/diff' }, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] },
    );
    await fromSchema.db.prisma.$executeRawUnsafe('SELECT 1');
    for (const statement of splitStatements(sql)) await fromSchema.db.prisma.$executeRawUnsafe(statement);
    const expected = await fromSchema.db.prisma.$queryRawUnsafe(CATALOG_SQL);
    const actual = await fromMigrations.db.prisma.$queryRawUnsafe(CATALOG_SQL);
    expect((actual as unknown[]).length).toBeGreaterThan(50);
    expect(actual).toEqual(expected);
  });

  it('are recorded in _prisma_migrations the way Prisma records them, and not applied twice', async () => {
    const rows = await fromMigrations.db.prisma.$queryRawUnsafe<
      Array<{ migration_name: string; checksum: string; finished: boolean; applied_steps_count: number }>
    >('SELECT migration_name, checksum, finished_at IS NOT NULL AS finished, applied_steps_count FROM "_prisma_migrations" ORDER BY migration_name');
    const files = readMigrations();
    expect(rows.map((r) => r.migration_name)).toEqual(files.map((m) => m.name));
    expect(rows.every((r) => r.finished && r.applied_steps_count === 1 && /^[0-9a-f]{64}$/.test(r.checksum))).toBe(true);
    expect(await fromMigrations.db.migrate()).toEqual({ applied: [], alreadyApplied: files.length });
  });

  it('refuse to run when an applied migration was edited', async () => {
    const edited = readMigrations().map((m, i) => (i === 0 ? { ...m, checksum: 'f'.repeat(64) } : m));
    await expect(fromMigrations.db.migrate(edited)).rejects.toThrow(/was changed after it was applied/);
  });

  it.runIf(onPostgres)('two processes starting together on an empty database migrate once', async () => {
    const { createPostgresDatabase, dropPostgresDatabase } = await import('../support/test-database.ts');
    const { openDatabase } = await import('../../src/db/open-database.ts');
    const url = await createPostgresDatabase();
    const [a, b] = await Promise.all([openDatabase({ url, dataDir: '' }), openDatabase({ url, dataDir: '' })]);
    try {
      const results = await Promise.all([a.migrate(), b.migrate()]);
      const appliedCounts = results.map((r) => r.applied.length).sort();
      expect(appliedCounts).toEqual([0, readMigrations().length]);
      const rows = await a.prisma.$queryRawUnsafe<Array<{ n: bigint }>>('SELECT count(*) AS n FROM "_prisma_migrations"');
      expect(Number(rows[0]!.n)).toBe(readMigrations().length);
    } finally {
      await a.close();
      await b.close();
      await dropPostgresDatabase(url);
    }
  });
});

function splitStatements(sql: string): string[] {
  return sql
    .split(/;\s*\n/)
    .map((s) => s.replace(/^\s*--.*$/gm, '').trim())
    .filter((s) => s.length > 0);
}

// Prisma CLI configuration: the schema engine runs as WebAssembly against an in-memory PGlite,
// so generate/diff/deploy work offline with no native engine download (DESIGN.md §3).
import type { SqlMigrationAwareDriverAdapterFactory } from '@prisma/driver-adapter-utils';
import { defineConfig } from 'prisma/config';
import { PGlite } from '@electric-sql/pglite';
import { PrismaPGlite } from 'pglite-prisma-adapter';

export default defineConfig({
  schema: 'prisma/schema.prisma',
  experimental: { adapter: true },
  engine: 'js',
  async adapter() {
    // The adapter bundles an older copy of Prisma's adapter types; the runtime contract matches.
    return new PrismaPGlite(new PGlite()) as unknown as SqlMigrationAwareDriverAdapterFactory;
  },
});

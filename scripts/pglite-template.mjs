#!/usr/bin/env node
// Runs after `npm install`: an initialised PGlite cluster with every migration of this checkout
// applied (recorded in _prisma_migrations as the runner records them), as a tarball, so the first
// `solodesk start` copies it instead of running initdb and the migrations (seconds saved on the
// first start). Made locally by the installed PGlite; nothing is downloaded. Without it, start
// runs initdb; a migration added after the install is applied at start as usual.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PGlite } from '@electric-sql/pglite';
import { register } from 'tsx/esm/api';

register();
const { applyMigrations, readMigrations } = await import('../src/db/migrate.ts');
const { pgliteSession } = await import('../src/db/open-pglite.ts');

const target = fileURLToPath(new URL('../node_modules/.cache/solodesk/pglite-template.tgz', import.meta.url));
const pg = new PGlite();
await pg.waitReady;
await applyMigrations(pgliteSession(pg), readMigrations());
const dump = await pg.dumpDataDir('gzip');
await pg.close();
mkdirSync(dirname(target), { recursive: true });
writeFileSync(target, Buffer.from(await dump.arrayBuffer()));

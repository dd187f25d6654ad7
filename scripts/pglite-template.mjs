#!/usr/bin/env node
// Runs after `npm install`: an empty, initialised PGlite cluster as a tarball, so the first
// `solodesk start` copies it instead of running initdb (seconds saved on the first start).
// Made locally by the installed PGlite; nothing is downloaded. Without it, start runs initdb.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PGlite } from '@electric-sql/pglite';

const target = fileURLToPath(new URL('../node_modules/.cache/solodesk/pglite-template.tgz', import.meta.url));
const pg = new PGlite();
await pg.waitReady;
const dump = await pg.dumpDataDir('gzip');
await pg.close();
mkdirSync(dirname(target), { recursive: true });
writeFileSync(target, Buffer.from(await dump.arrayBuffer()));

#!/usr/bin/env node
// The `solodesk` command: compiled once (scripts/compiled-cli.mjs) rather than transpiled on every
// run; straight from the TypeScript sources through tsx when it cannot be compiled.
import { setFlagsFromString } from 'node:v8';
import { compiledCliEntry, importCompiledOrSource } from '../scripts/compiled-cli.mjs';

// Before any WebAssembly is compiled (PGlite's 9 MB PostgreSQL, Prisma's query compiler): V8's
// baseline compiler only. By default V8 also recompiles them with its optimising compiler on
// background threads, and Node waits for that before a command can exit. Measured on the
// embedded database (tmp check, issue 19): open 0.80 → 0.62 s, RSS 282 → 240 MB, and a one-shot
// command exits at once instead of ~1 s after its work is done; queries were no slower.
setFlagsFromString('--liftoff-only');

await importCompiledOrSource(await compiledCliEntry(), new URL('../src/cli/main.ts', import.meta.url).href);

#!/usr/bin/env node
// The `solodesk` command: compiled once (scripts/compiled-cli.mjs) rather than transpiled on every
// run; straight from the TypeScript sources through tsx when it cannot be compiled.
import { compiledCliEntry, importCompiledOrSource } from '../scripts/compiled-cli.mjs';

await importCompiledOrSource(await compiledCliEntry(), new URL('../src/cli/main.ts', import.meta.url).href);

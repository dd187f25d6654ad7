#!/usr/bin/env node
// The `solodesk` command: compiled once (scripts/compiled-cli.mjs) rather than transpiled on every
// run; straight from the TypeScript sources through tsx when it cannot be compiled.
import { compiledCliEntry } from '../scripts/compiled-cli.mjs';

const compiled = await compiledCliEntry();
if (compiled !== undefined) {
  await import(compiled);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import('../src/cli/main.ts');
}

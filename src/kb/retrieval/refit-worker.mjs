// Entry of the KB refit worker thread (background-refit.ts): a worker starts without the main
// thread's modules, so it loads the compiled worker (scripts/compiled-cli.mjs) when a build for
// these sources exists, else the TypeScript sources through tsx, as bin/solodesk.js does.
import { URL } from 'node:url';
import { freshCompiledModule, importCompiledOrSource } from '../../../scripts/compiled-cli.mjs';

await importCompiledOrSource(freshCompiledModule('refit-worker'), new URL('./refit-worker.ts', import.meta.url).href);

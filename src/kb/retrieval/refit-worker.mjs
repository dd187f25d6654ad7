// Entry of the KB refit worker thread (background-refit.ts): a worker starts without the main
// thread's modules, so it loads the compiled worker (scripts/compiled-cli.mjs) when a build for
// these sources exists, else the TypeScript sources through tsx, as bin/solodesk.js does.
import { freshCompiledModule } from '../../../scripts/compiled-cli.mjs';

const compiled = freshCompiledModule('refit-worker');
if (compiled !== undefined) {
  await import(compiled);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import('./refit-worker.ts');
}

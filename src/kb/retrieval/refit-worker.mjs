// Entry of the KB refit worker thread (background-refit.ts): a worker starts without the
// TypeScript loader the main thread has, so it registers tsx first, as bin/solodesk.js does.
import { register } from 'tsx/esm/api';

register();
await import('./refit-worker.ts');

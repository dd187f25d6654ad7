/**
 * `npx tsx scripts/widget-build.ts [outFile]`: builds the browser chat widget and writes it to
 * outFile (default node_modules/.cache/solodesk/widget/widget.js), then prints its size.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { buildWidgetBundle } from '../src/adapters/web/widget-bundle.ts';

const outFile = resolve(process.argv[2] ?? 'node_modules/.cache/solodesk/widget/widget.js');
const bundle = await buildWidgetBundle();
mkdirSync(dirname(outFile), { recursive: true });
writeFileSync(outFile, bundle.code);
console.log(`${outFile}: ${bundle.bytes} bytes, ${bundle.gzipBytes} bytes gzip`);

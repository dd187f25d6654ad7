/**
 * The browser chat widget (`src/adapters/web/widget/`), bundled in memory by esbuild into one
 * minified IIFE script: what `/widget.js` serves. Built on first request and kept; a failed
 * build is not kept, so the next request tries again.
 */
import { gzipSync } from 'node:zlib';
import { resolve } from 'node:path';

export interface WidgetBundle {
  code: string;
  bytes: number;
  gzipBytes: number;
}

export const WIDGET_ENTRY = resolve(import.meta.dirname, 'widget/main.ts');

export async function buildWidgetBundle(): Promise<WidgetBundle> {
  // Imported here so that a desk that never serves the widget never loads esbuild.
  const { build } = await import('esbuild');
  const result = await build({
    entryPoints: [WIDGET_ENTRY],
    bundle: true,
    format: 'iife',
    platform: 'browser',
    minify: true,
    target: ['es2020'],
    write: false,
    legalComments: 'none',
    // ASCII only (\uXXXX escapes): the script then reads the same whatever charset the host page
    // or a proxy assumes for it.
    charset: 'ascii',
    logLevel: 'silent',
  });
  const output = result.outputFiles[0];
  if (!output) throw new Error('esbuild produced no widget bundle');
  const code = output.text;
  return { code, bytes: Buffer.byteLength(code), gzipBytes: gzipSync(code).length };
}

let building: Promise<WidgetBundle> | undefined;

/** The bundle, built once per process. */
export function widgetBundle(): Promise<WidgetBundle> {
  building ??= buildWidgetBundle().catch((error: unknown) => {
    building = undefined;
    throw error;
  });
  return building;
}

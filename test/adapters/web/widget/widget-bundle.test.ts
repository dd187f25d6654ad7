import { describe, expect, it } from 'vitest';
import { buildWidgetBundle, widgetBundle } from '../../../../src/adapters/web/widget-bundle.ts';

// The widget loads on every page of the customer's site: keep it small.
const MAX_BYTES = 25_000;
const MAX_GZIP_BYTES = 10_000;

describe('buildWidgetBundle', () => {
  it('produces one small self-contained script', async () => {
    const bundle = await buildWidgetBundle();
    expect(bundle.bytes).toBe(Buffer.byteLength(bundle.code));
    expect(bundle.bytes).toBeLessThan(MAX_BYTES);
    expect(bundle.gzipBytes).toBeLessThan(MAX_GZIP_BYTES);
    expect(bundle.code).not.toMatch(/\bimport\b|\brequire\b|\bexport\b/);
    // A classic script: it must parse as a function body (an ES module would not).
    expect(() => new Function(bundle.code)).not.toThrow();
    expect(bundle.code).toContain('solodesk-widget');
    expect(bundle.code).not.toMatch(/[^\t\n\r\x20-\x7e]/);
  });

  it('builds once per process', async () => {
    const first = widgetBundle();
    expect(widgetBundle()).toBe(first);
    expect((await first).code.length).toBeGreaterThan(0);
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runKbCommand } from '../../../src/core/founder/kb-commands.ts';
import { importKbDirectory } from '../../../src/kb/markdown.ts';
import { createTestDesk, type TestDesk } from '../../support/test-desk.ts';

// `/kb search|show|list` as every console gets it, over the real KB service and the sample KB.

let desk: TestDesk;
beforeAll(async () => {
  desk = await createTestDesk();
  await importKbDirectory(desk.kb, 'examples/kb', 'test');
});
afterAll(async () => {
  await desk.dispose();
});

describe('runKbCommand', () => {
  it('search: the decision, its confidence, and the ranked articles with the answer marked', async () => {
    const result = await runKbCommand(desk.kb, 'search', 'how do I reset my password');
    expect(result).toMatchObject({ kind: 'search', decision: 'answer', confidence: expect.stringMatching(/^\d+%$/) });
    if (result.kind !== 'search') return;
    expect(result.rows[0]).toMatchObject({ rank: 1, slug: 'reset-password', title: 'Reset your password', mark: '← answer' });
    expect(result.rows.length).toBeLessThanOrEqual(5);
    expect(result.rows.slice(1).every((r) => r.mark !== '← answer')).toBe(true);
  });

  it('list: a tag in any case finds the lowercased tag', async () => {
    const upper = await runKbCommand(desk.kb, 'list', 'BILLING');
    const lower = await runKbCommand(desk.kb, 'LIST', 'billing');
    expect(upper).toMatchObject({ kind: 'list', tag: 'billing' });
    expect(upper).toEqual(lower);
    if (upper.kind !== 'list') return;
    expect(upper.articles.length).toBeGreaterThan(0);
    expect(upper.articles.every((a) => a.tags.includes('billing'))).toBe(true);
    const all = await runKbCommand(desk.kb, 'list', '');
    expect(all).toMatchObject({ kind: 'list', tag: null, more: 0 });
    expect(all.kind === 'list' && all.articles.length).toBe((await desk.kb.list()).length);
  });

  it('show, usage, not found and other subcommands', async () => {
    expect(await runKbCommand(desk.kb, 'show', 'reset-password')).toMatchObject({ kind: 'show', article: { slug: 'reset-password' } });
    expect(await runKbCommand(desk.kb, 'show', 'nope')).toEqual({ kind: 'not_found', slug: 'nope' });
    expect(await runKbCommand(desk.kb, 'search', ' ')).toEqual({ kind: 'usage', usage: '/kb search <text>' });
    expect(await runKbCommand(desk.kb, 'archive', 'reset-password')).toEqual({ kind: 'help', sub: 'archive', argument: 'reset-password' });
  });
});

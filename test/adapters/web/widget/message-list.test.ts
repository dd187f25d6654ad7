import { describe, expect, it } from 'vitest';
import { MessageList } from '../../../../src/adapters/web/widget/message-list.ts';
import type { WebMessage } from '../../../../src/adapters/web/widget/protocol.ts';

const message = (overrides: Partial<WebMessage> & Pick<WebMessage, 'id' | 'at'>): WebMessage => ({
  author: 'bot',
  text: `text of ${overrides.id}`,
  format: 'plain',
  ...overrides,
});

const keys = (list: MessageList): string[] => list.ordered().map((entry) => entry.key);

describe('MessageList', () => {
  it('orders by time, ties by first arrival', () => {
    const list = new MessageList();
    list.merge(message({ id: 'c', at: '2026-01-01T10:00:02Z' }));
    list.merge(message({ id: 'b', at: '2026-01-01T10:00:01Z' }));
    list.merge(message({ id: 'tie-2', at: '2026-01-01T10:00:03Z' }));
    list.merge(message({ id: 'tie-1', at: '2026-01-01T10:00:03.000+00:00' }));
    list.merge(message({ id: 'a', at: '2026-01-01T09:59:59Z' }));
    expect(keys(list)).toEqual(['a', 'b', 'c', 'tie-2', 'tie-1']);
  });

  it('replaces a message with the same id, keeping its place among ties', () => {
    const list = new MessageList();
    list.merge(message({ id: 'x', at: '2026-01-01T10:00:00Z', text: 'first' }));
    list.merge(message({ id: 'y', at: '2026-01-01T10:00:00Z' }));
    list.merge(message({ id: 'x', at: '2026-01-01T10:00:00Z', text: 'edited' }));
    expect(keys(list)).toEqual(['x', 'y']);
    expect(list.get('x')?.message.text).toBe('edited');
  });

  it('shows a local message as sending, then replaces it with the server copy (no duplicate)', () => {
    const list = new MessageList();
    list.addLocal('clientAAAA1', 'hello', '2026-01-01T10:00:00Z');
    expect(list.ordered()).toMatchObject([{ key: 'local:clientAAAA1', state: 'sending', message: { author: 'customer' } }]);
    list.merge(message({ id: 'srv-1', author: 'customer', text: 'hello', clientMessageId: 'clientAAAA1', at: '2026-01-01T10:00:01Z' }));
    expect(list.ordered()).toMatchObject([{ key: 'srv-1', state: 'sent' }]);
    expect(list.isConfirmed('clientAAAA1')).toBe(true);
  });

  it('does not bring back a local copy of a message the server already confirmed', () => {
    const list = new MessageList();
    list.merge(message({ id: 'srv-1', author: 'customer', clientMessageId: 'clientBBBB1', at: '2026-01-01T10:00:00Z' }));
    list.addLocal('clientBBBB1', 'hello', '2026-01-01T10:00:05Z');
    expect(keys(list)).toEqual(['srv-1']);
  });

  it('marks a local message failed and sending again', () => {
    const list = new MessageList();
    list.addLocal('clientCCCC1', 'x', '2026-01-01T10:00:00Z');
    list.setLocalState('clientCCCC1', 'failed');
    expect(list.get('local:clientCCCC1')?.state).toBe('failed');
    list.setLocalState('clientCCCC1', 'sending');
    expect(list.get('local:clientCCCC1')?.state).toBe('sending');
  });

  it('keeps a press across updates of the message, and before the message arrives', () => {
    const list = new MessageList();
    list.press('kb-1', 'helpful');
    list.merge(message({ id: 'kb-1', at: '2026-01-01T10:00:00Z', buttons: [{ action: 'helpful', label: '👍' }] }));
    expect(list.get('kb-1')?.pressedAction).toBe('helpful');
    list.merge(message({ id: 'kb-1', at: '2026-01-01T10:00:00Z', text: 'updated' }));
    expect(list.get('kb-1')?.pressedAction).toBe('helpful');
    list.unpress('kb-1');
    expect(list.get('kb-1')?.pressedAction).toBeUndefined();
  });

  it('replaces entries instead of mutating them, so the view can compare by identity', () => {
    const list = new MessageList();
    list.merge(message({ id: 'a', at: '2026-01-01T10:00:00Z' }));
    const before = list.get('a');
    list.press('a', 'x');
    expect(list.get('a')).not.toBe(before);
    expect(before?.pressedAction).toBeUndefined();
  });
});

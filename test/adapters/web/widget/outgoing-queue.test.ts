import { describe, expect, it } from 'vitest';
import { Alarm } from '../../../../src/adapters/web/widget/alarm.ts';
import { OutgoingQueue, type DeliveryOutcome, type OutgoingItem } from '../../../../src/adapters/web/widget/outgoing-queue.ts';

function harness(outcomes: DeliveryOutcome[], stored: unknown = undefined) {
  const delivered: string[] = [];
  const changes: string[] = [];
  let saved: readonly OutgoingItem[] = [];
  const queue = new OutgoingQueue({
    alarm: new Alarm(),
    random: () => 0,
    store: { load: () => stored, save: (items) => (saved = structuredClone(items)) },
    deliver: async (item) => {
      delivered.push(item.id);
      return outcomes.shift() ?? { kind: 'delivered' };
    },
    onChange: (item, outcome) => changes.push(`${item.id}:${outcome}`),
  });
  return { queue, delivered, changes, saved: () => saved };
}

const settle = (ms = 5): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
const message = (id: string): OutgoingItem => ({ kind: 'message', id, text: `text ${id}`, at: '2026-01-01T00:00:00Z' });

describe('OutgoingQueue', () => {
  it('sends in order, one at a time, and forgets what was delivered', async () => {
    const { queue, delivered, saved } = harness([]);
    queue.enqueue(message('message01'));
    queue.enqueue(message('message02'));
    await settle();
    expect(delivered).toEqual(['message01', 'message02']);
    expect(saved()).toEqual([]);
  });

  it('sends the same item again after a retryable failure, honouring Retry-After', async () => {
    const { queue, delivered, changes } = harness([{ kind: 'retry', afterMs: 1 }, { kind: 'retry', afterMs: 1 }]);
    queue.enqueue(message('message01'));
    await settle(30);
    expect(delivered).toEqual(['message01', 'message01', 'message01']);
    expect(changes).toEqual(['message01:retrying', 'message01:retrying', 'message01:delivered']);
  });

  it('keeps a rejected message, marked failed, and skips it until retried', async () => {
    const { queue, delivered, saved } = harness([{ kind: 'rejected' }]);
    queue.enqueue(message('message01'));
    queue.enqueue(message('message02'));
    await settle();
    expect(delivered).toEqual(['message01', 'message02']);
    expect(saved()).toEqual([{ ...message('message01'), failed: true }]);
    queue.retry('message01');
    await settle();
    expect(delivered).toEqual(['message01', 'message02', 'message01']);
    expect(saved()).toEqual([]);
  });

  it('stops at halt and goes on when started again', async () => {
    const { queue, delivered } = harness([{ kind: 'halt' }]);
    queue.enqueue(message('message01'));
    await settle();
    expect(queue.items()).toHaveLength(1);
    queue.start();
    await settle();
    expect(delivered).toEqual(['message01', 'message01']);
    expect(queue.items()).toHaveLength(0);
  });

  it('loads what a previous page left, dropping anything malformed', () => {
    const { queue } = harness([{ kind: 'halt' }], [message('message01'), { kind: 'message', id: 'bad id!', text: 'x', at: 'y' }, 42, { kind: 'action', id: 'action0001', action: 'helpful', messageKey: 'kb-1' }]);
    expect(queue.items().map((item) => item.id)).toEqual(['message01', 'action0001']);
  });

  it('stops sending an item the server already has', async () => {
    const { queue } = harness([{ kind: 'retry', afterMs: 10_000 }]);
    queue.enqueue(message('message01'));
    queue.enqueue(message('message02'));
    await settle();
    queue.acknowledge('message01');
    expect(queue.items().map((item) => item.id)).toEqual(['message02']);
  });
});

// Runs tasks one after another per key (a chat), any number of keys at once: a customer's second
// message is not stored before their first one, while other chats are not held up. Replaces
// @grammyjs/runner's `sequentialize` for both the webhook and the long-polling path.

export type InOrder = <T>(key: string, task: () => Promise<T>) => Promise<T>;

export function createInOrder(): InOrder {
  /** The last task queued per key; its promise never rejects (it is a turnstile, not the task). */
  const tails = new Map<string, Promise<void>>();
  return async (key, task) => {
    const previous = tails.get(key) ?? Promise.resolve();
    let release!: () => void;
    const turn = new Promise<void>((resolve) => {
      release = resolve;
    });
    const tail = previous.then(() => turn);
    tails.set(key, tail);
    try {
      await previous;
      return await task();
    } finally {
      release();
      // Forget the key when nothing queued behind this task, so the map does not grow per chat.
      if (tails.get(key) === tail) tails.delete(key);
    }
  };
}

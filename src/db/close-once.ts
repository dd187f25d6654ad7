/** Closing twice (a failed start, then shutdown) must not throw: pg's pool.end() does the second time. */
export function closeOnce(close: () => Promise<void>): () => Promise<void> {
  let closing: Promise<void> | undefined;
  return () => (closing ??= close());
}

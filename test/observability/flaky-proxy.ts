import { connect, createServer, type Socket } from 'node:net';

/**
 * A TCP proxy in front of a platform fake that can cut every connection (a TCP reset, as a
 * network failure looks to an SDK) or pass them through: a platform that is down, then back.
 */
export interface FlakyProxy {
  /** `http://127.0.0.1:PORT`, to use as the platform's API root. */
  url: string;
  /** Connections reset so far. */
  readonly resets: number;
  /** Reset every connection, including the ones open now (keep-alive would bypass the failure). */
  fail(): void;
  pass(): void;
  close(): Promise<void>;
}

export async function startFlakyProxy(target: string): Promise<FlakyProxy> {
  const { hostname, port } = new URL(target);
  const open = new Set<Socket>();
  let failing = true;
  let resets = 0;
  const track = (socket: Socket): void => {
    open.add(socket);
    socket.on('close', () => open.delete(socket));
    socket.on('error', () => socket.destroy());
  };
  const server = createServer((client) => {
    track(client);
    if (failing) {
      resets += 1;
      client.resetAndDestroy();
      return;
    }
    const upstream = connect(Number(port), hostname);
    track(upstream);
    client.pipe(upstream).pipe(client);
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${address.port}`,
    get resets() {
      return resets;
    },
    fail() {
      failing = true;
      for (const socket of open) socket.destroy();
    },
    pass() {
      failing = false;
    },
    close() {
      for (const socket of open) socket.destroy();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

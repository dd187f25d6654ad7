import { createServer, type Server, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/db/open-database.ts';

// A PostgreSQL server that is not there must be reported as DATABASE_URL's problem, with what to
// do, at once — and never with the URL's password.

const PASSWORD = 'Sup3r-Secret-Pw';
const servers: Server[] = [];
const sockets: Socket[] = [];
afterEach(async () => {
  for (const socket of sockets.splice(0)) socket.destroy();
  await Promise.all(servers.splice(0).map((s) => new Promise((resolve) => s.close(resolve))));
});

/** A port nothing listens on: bound by us, then closed. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** A port that accepts the connection and then says nothing, like a firewall that swallows packets. */
async function silentPort(): Promise<number> {
  const server = createServer((socket) => sockets.push(socket));
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as { port: number }).port;
}

async function migrateFailure(url: string): Promise<Error> {
  const db = await openDatabase({ url, dataDir: '' });
  try {
    const failure = await db.migrate().then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(failure).toBeInstanceOf(Error);
    return failure as Error;
  } finally {
    await db.close();
  }
}

describe('an unreachable PostgreSQL', () => {
  it('names DATABASE_URL and what to do when the port is closed, without the password', async () => {
    const port = await closedPort();
    const error = await migrateFailure(`postgresql://solodesk:${PASSWORD}@127.0.0.1:${port}/solodesk`);
    expect(error.message).toBe(
      `cannot reach the database at DATABASE_URL (127.0.0.1:${port}: connection refused); check that PostgreSQL runs there, or unset DATABASE_URL to use the embedded database`,
    );
    expect(error.message).not.toContain(PASSWORD);
    expect(error).toMatchObject({ code: 'database_unreachable' });
  });

  it('gives up within seconds when the server never answers', async () => {
    const port = await silentPort();
    const started = Date.now();
    const error = await migrateFailure(`postgresql://solodesk:${PASSWORD}@127.0.0.1:${port}/solodesk`);
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(error.message).toBe(
      `cannot reach the database at DATABASE_URL (127.0.0.1:${port}: no answer within 5 s); check that PostgreSQL runs there, or unset DATABASE_URL to use the embedded database`,
    );
  }, 20_000);
});

import type { PrismaClient } from '@prisma/client';

// Where the WeCom channel has read up to in kf/sync_msg, one row per customer-service account
// (`wecom:<open_kfid>`). WeCom keeps every message until we fetch past it, so the cursor is what
// makes "nothing fetched twice, nothing lost" hold across restarts and processes: it is advanced
// only after the fetched messages were stored (a crash before that fetches them again, and the
// core drops the duplicates by msgid), and only from the value this process read — a
// compare-and-set, so a slower process that fetched an older page never moves it back.

export interface CursorStore {
  /** The stored cursor ('' before the first fetch: WeCom then starts at the oldest message it keeps). */
  read(name: string): Promise<string>;
  /** Moves the cursor from `from` to `to`; false when another process moved it first (nothing changed). */
  advance(name: string, from: string, to: string): Promise<boolean>;
  /** The names of every stored cursor that starts with `prefix`. */
  names(prefix: string): Promise<string[]>;
}

export function createCursorStore(prisma: PrismaClient): CursorStore {
  return {
    async read(name) {
      const row = await prisma.channelCursor.findUnique({ where: { name } });
      if (row !== null) return row.cursor;
      // The row exists from the first read on, so advance() is always one conditional update.
      await prisma.channelCursor.createMany({ data: [{ name, cursor: '' }], skipDuplicates: true });
      return (await prisma.channelCursor.findUniqueOrThrow({ where: { name } })).cursor;
    },
    async names(prefix) {
      const rows = await prisma.channelCursor.findMany({ where: { name: { startsWith: prefix } }, select: { name: true } });
      return rows.map((row) => row.name);
    },
    async advance(name, from, to) {
      if (from === to) return true;
      const { count } = await prisma.channelCursor.updateMany({ where: { name, cursor: from }, data: { cursor: to } });
      return count === 1;
    },
  };
}

import type { PrismaClient } from '@prisma/client';
import type { Config } from '../config/env.ts';
import { openDatabase } from '../db/open-database.ts';
import { createDesk, type Desk } from '../desk.ts';
import { createLogger } from '../observability/logger.ts';
import { createMetrics } from '../observability/metrics.ts';

// The database (and the desk on it) for a command that runs once and exits. The command modules
// import this only when they run: `solodesk --help` loads no database driver, Prisma or KB.

export async function withPrisma(config: Config, run: (prisma: PrismaClient) => Promise<void>): Promise<void> {
  const db = await openDatabase(config.database);
  try {
    await db.migrate();
    await run(db.prisma);
  } finally {
    await db.close();
  }
}

export async function withDesk(config: Config, run: (desk: Desk) => Promise<void>): Promise<void> {
  const db = await openDatabase(config.database);
  try {
    await db.migrate();
    await run(createDesk({ db, config, logger: createLogger({ level: 'warn' }), metrics: createMetrics() }));
  } finally {
    await db.close();
  }
}

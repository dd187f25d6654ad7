import type { Command } from 'commander';
import { runCommand } from './run-command.ts';

export function registerMigrateCommand(program: Command): void {
  program
    .command('migrate')
    .description('apply pending database migrations and exit')
    .action(() =>
      runCommand(async (config) => {
        (await import('./desk-session.ts')).assertDatabaseFree(config);
        const { openDatabase } = await import('../db/open-database.ts');
        const db = await openDatabase(config.database);
        try {
          const result = await db.migrate();
          console.log(
            result.applied.length > 0
              ? `applied ${result.applied.length} migration(s): ${result.applied.join(', ')}`
              : `database is up to date (${result.alreadyApplied} migration(s) applied before)`,
          );
        } finally {
          await db.close();
        }
      }),
    );
}

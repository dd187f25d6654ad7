import { Command } from 'commander';
import { registerMigrateCommand } from './migrate-command.ts';
import { registerStartCommand } from './start-command.ts';

const program = new Command('solodesk')
  .description('The support desk of a company of one: answers from the knowledge base, hands the rest to the founder.')
  .showHelpAfterError();

registerStartCommand(program);
registerMigrateCommand(program);

await program.parseAsync(process.argv);

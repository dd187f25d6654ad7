import { Command } from 'commander';
import { registerBenchCommand } from './bench-command.ts';
import { registerChatCommand } from './chat-command.ts';
import { registerCustomerCommand } from './customer-command.ts';
import { registerKbCommand } from './kb-command.ts';
import { registerMigrateCommand } from './migrate-command.ts';
import { registerReportCommand } from './report-command.ts';
import { registerStartCommand } from './start-command.ts';

const program = new Command('solodesk')
  .description('The support desk of a company of one: answers from the knowledge base, hands the rest to the founder.')
  .showHelpAfterError();

registerStartCommand(program);
registerChatCommand(program);
registerKbCommand(program);
registerMigrateCommand(program);
registerBenchCommand(program);
registerReportCommand(program);
registerCustomerCommand(program);

await program.parseAsync(process.argv);

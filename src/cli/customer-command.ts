import { createInterface } from 'node:readline';
import type { Command } from 'commander';
import type { PrismaClient } from '@prisma/client';
import type { Config } from '../config/env.ts';
import type { ForgetSummary } from '../core/customers/data-rights.ts';
import { systemClock } from '../observability/clock.ts';
import { runCommand } from './run-command.ts';

// A customer's data rights from the command line: `customer export <id>` prints everything stored
// about them as JSON; `customer forget <id>` erases their texts and identities after a yes.

async function withPrisma(config: Config, run: (prisma: PrismaClient) => Promise<void>): Promise<void> {
  return (await import('./desk-session.ts')).withPrisma(config, run);
}

const dataRights = () => import('../core/customers/data-rights.ts');

export function registerCustomerCommand(program: Command): void {
  const customer = program.command('customer').description("a customer's data: export it, or forget it");

  customer
    .command('export')
    .argument('<id>', 'the customer id')
    .description('print everything stored about a customer (and customers linked with it) as JSON')
    .action((id: string) =>
      runCommand((config) =>
        withPrisma(config, async (prisma) => {
          console.log(JSON.stringify(await (await dataRights()).exportCustomer(prisma, id, systemClock), null, 2));
        }),
      ),
    );

  customer
    .command('forget')
    .argument('<id>', 'the customer id')
    .option('--yes', 'do not ask for confirmation')
    .description("erase a customer's texts and identities (and those of customers linked with it); anonymous counts stay for reports")
    .action((id: string, options: { yes?: boolean }) =>
      runCommand((config) =>
        withPrisma(config, async (prisma) => {
          // The export also checks that the customer exists before anything is asked.
          const stored = await (await dataRights()).exportCustomer(prisma, id, systemClock);
          if (!options.yes) {
            const messages = stored.conversations.reduce((sum, c) => sum + c.messages.length, 0);
            const linked = stored.linkedCustomers.length;
            const question =
              `Erase the texts and identities of customer ${id}${linked ? ` and ${linked} linked customer(s)` : ''}: ` +
              `${stored.identities.length} identity(ies), ${stored.conversations.length} conversation(s), ${messages} message(s)? ` +
              'This cannot be undone. Type "yes" to confirm: ';
            if ((await ask(question)).trim().toLowerCase() !== 'yes') {
              console.log('nothing was erased');
              return;
            }
          }
          for (const line of describeForget(await (await dataRights()).forgetCustomer(prisma, id, { actor: 'cli:forget', clock: systemClock }))) console.log(line);
        }),
      ),
    );
}

export function describeForget(summary: ForgetSummary): string[] {
  return [
    `forgot ${summary.customerIds.length} customer(s): ${summary.customerIds.join(', ')}`,
    `erased: ${summary.messages} message text(s) in ${summary.conversations} conversation(s), ${summary.identities} identity(ies), ` +
      `the comments of ${summary.feedback} rating(s), ${summary.inboundEvents} inbound delivery(ies), ${summary.outboxRows} outbox row(s), ` +
      `${summary.auditRows} audit row(s); ${summary.articlesEdited} KB article(s) lost an example question`,
    ...(summary.undecidedDropped ? [`${summary.undecidedDropped} message(s) not yet decided were dropped, not answered`] : []),
    ...(summary.unsentCancelled ? [`${summary.unsentCancelled} delivery(ies) not yet sent were cancelled`] : []),
    'a new message from this person starts a new customer',
  ];
}

/** One line from stdin; an empty answer when stdin ends first (piped, nothing typed): nothing is erased. */
function ask(question: string): Promise<string> {
  const reader = createInterface({ input: process.stdin, output: process.stderr, terminal: false });
  process.stderr.write(question);
  return new Promise((resolve) => {
    let answered = false;
    reader.once('line', (line) => {
      answered = true;
      resolve(line);
      reader.close();
    });
    reader.once('close', () => {
      if (!answered) resolve('');
    });
  });
}

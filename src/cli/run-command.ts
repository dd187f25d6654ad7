import { ConfigError, SolodeskError } from '../errors.ts';
import type { Config } from '../config/env.ts';
import { redactSecrets, registerSecrets, secretsOf } from '../observability/redact.ts';

/**
 * Loads the configuration and runs a command; known failures become one clear line each and
 * exit 1. The configuration's secrets are registered first, so that no line printed from here
 * on (nor any log line) can carry one. With `name` (`kb import`), a failure of the command's own
 * input says which command it was; configuration problems do not, they are everyone's.
 */
export async function runCommand(action: (config: Config) => Promise<void>, name?: string): Promise<void> {
  try {
    // Imported here, not above: `solodesk --help` never loads the configuration's schema (zod).
    const { loadConfig } = await import('../config/env.ts');
    const config = loadConfig();
    registerSecrets(secretsOf(config));
    await action(config);
  } catch (error) {
    process.exitCode = 1;
    if (error instanceof ConfigError) {
      for (const problem of error.problems) printError(`invalid configuration: ${problem}`);
    } else if (error instanceof SolodeskError) {
      // A message of several lines (every bad file of a KB folder) is one problem a line.
      for (const line of error.message.split('\n')) printError(commandProblem(name, line, error));
    } else {
      printError(error instanceof Error ? error.message : String(error));
    }
  }
}

/** The database is the whole desk's, not the command's: its problems go without the command's name. */
function commandProblem(name: string | undefined, line: string, error: SolodeskError): string {
  return name && !error.code.startsWith('database_') ? `${name}: ${line}` : line;
}

function printError(text: string): void {
  console.error(redactSecrets(`solodesk: ${text}`));
}

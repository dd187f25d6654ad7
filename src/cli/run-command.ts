import { ConfigError, SolodeskError } from '../errors.ts';
import { loadConfig, type Config } from '../config/env.ts';
import { redactSecrets, registerSecrets, secretsOf } from '../observability/redact.ts';

/**
 * Loads the configuration and runs a command; known failures become one clear line each and
 * exit 1. The configuration's secrets are registered first, so that no line printed from here
 * on (nor any log line) can carry one.
 */
export async function runCommand(action: (config: Config) => Promise<void>): Promise<void> {
  try {
    const config = loadConfig();
    registerSecrets(secretsOf(config));
    await action(config);
  } catch (error) {
    process.exitCode = 1;
    if (error instanceof ConfigError) {
      for (const problem of error.problems) printError(`invalid configuration: ${problem}`);
    } else if (error instanceof SolodeskError) {
      printError(error.message);
    } else {
      printError(error instanceof Error ? error.message : String(error));
    }
  }
}

function printError(text: string): void {
  console.error(redactSecrets(`solodesk: ${text}`));
}

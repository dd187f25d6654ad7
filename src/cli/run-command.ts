import { ConfigError, SolodeskError } from '../core/errors.ts';
import { loadConfig, type Config } from '../config/env.ts';

/** Loads the configuration and runs a command; known failures become one clear line each and exit 1. */
export async function runCommand(action: (config: Config) => Promise<void>): Promise<void> {
  try {
    await action(loadConfig());
  } catch (error) {
    process.exitCode = 1;
    if (error instanceof ConfigError) {
      for (const problem of error.problems) console.error(`solodesk: invalid configuration: ${problem}`);
    } else if (error instanceof SolodeskError) {
      console.error(`solodesk: ${error.message}`);
    } else {
      console.error(`solodesk: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
}

import type { Command } from 'commander';
import { UsageError } from './errors.js';

/** Registers a command of the design that is not built yet: it shows in --help, and says so when run. */
export function registerNotBuilt(program: Command, name: string, summary: string): void {
  program
    .command(name)
    .description(`${summary} (not built yet)`)
    .allowUnknownOption(true)
    .allowExcessArguments(true)
    .action(() => {
      throw new UsageError(`\`lapse ${name}\` is not built yet`);
    });
}

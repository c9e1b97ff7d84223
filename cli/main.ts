// Entry point: one commander program (program.ts), one module per command under commands/, loaded on demand.
import { runCli } from './program.js';
import { loadCommands } from './commands/index.js';

await runCli(process.argv, loadCommands);

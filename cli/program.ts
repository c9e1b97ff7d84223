// The commander program and how one command line runs through it: shared by main.ts (every command,
// loaded on demand) and the bundled single-command entries (scripts/bundle-cli.mjs).
import { Command, CommanderError } from 'commander';
import { exitWithError } from './util/errors.js';
import { guardStream } from './util/terminal.js';
import { LAPSE_VERSION } from './util/version.js';

export function buildProgram(registrars: ReadonlyArray<(program: Command) => void>): Command {
  const program = new Command();
  program
    .name('lapse')
    .description('Record AI coding-agent sessions and see where their time goes.')
    .version(LAPSE_VERSION, '-V, --version')
    .showSuggestionAfterError(true)
    .configureHelp({ sortSubcommands: false })
    .addHelpText(
      'after',
      `
Start here:
  lapse demo                      record a built-in scripted session and show it
  lapse record -- claude          record your own session (or codex, or node my-agent.js)
  lapse stats                     where the time went in the newest trace
  lapse simulate --profile spark  the same session at 1,000 tok/s

Traces live in $LAPSE_HOME (default ~/.local/share/lapse/traces); a TRACE argument may be omitted
to use the newest one.`,
    );
  program.exitOverride();
  for (const register of registrars) register(program);
  return program;
}

/** `lapse dump | head`: a reader that went away is not an error, and never a stack trace. */
function exitQuietlyOnClosedPipe(stream: NodeJS.WriteStream): void {
  stream.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE' || err.code === 'ERR_STREAM_DESTROYED') process.exit(0);
    exitWithError(err);
  });
}

/**
 * Runs one command line: `load` gives the registrars of the commands it may name (main.ts: loaded on
 * demand; a bundled command: its own only).
 */
export async function runCli(argv: string[], load: (args: readonly string[]) => Promise<ReadonlyArray<(program: Command) => void>>): Promise<void> {
  exitQuietlyOnClosedPipe(process.stdout);
  // Trace content never drives the terminal. Not stdout of `tui` (blessed draws with escapes; its
  // text is sanitised where the TUI lays it out, cli/tui/text.ts) nor of `record`/`demo` (a harness
  // in a pseudo-terminal draws through it); stderr of every command.
  const command = argv[2];
  guardStream(process.stderr);
  if (command !== 'tui' && command !== 'record' && command !== 'demo') guardStream(process.stdout);
  const program = buildProgram(await load(argv.slice(2)));
  try {
    await program.parseAsync(argv);
  } catch (err) {
    if (err instanceof CommanderError) {
      // commander already printed its message (or the help / version text)
      const ok = err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.code === 'commander.help';
      process.exit(ok ? 0 : err.exitCode === 0 ? 0 : 2);
    }
    exitWithError(err);
  }
}

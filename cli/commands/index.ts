// The command list, in the order `lapse --help` shows them. Each module exports `register(program)`.
// Modules are loaded on demand: `lapse stats` needs neither blessed nor the proxy, and loading every
// command's dependencies cost ~0.3 s of start-up on each call.
import type { Command } from 'commander';

type Register = (program: Command) => void;

export const COMMANDS: ReadonlyArray<readonly [name: string, load: () => Promise<{ register: Register }>]> = [
  ['record', () => import('./record.js')],
  ['proxy', () => import('./proxy.js')],
  ['stats', () => import('./stats.js')],
  ['simulate', () => import('./simulate.js')],
  ['tui', () => import('./tui.js')],
  ['view', () => import('./view.js')],
  ['replay', () => import('./replay.js')],
  ['export', () => import('./export.js')],
  ['import', () => import('./import.js')],
  ['report', () => import('./report.js')],
  ['ls', () => import('./ls.js')],
  ['dump', () => import('./dump.js')],
  ['demo', () => import('./demo.js')],
];

/** The registrars to load for this command line: only the named command's, or all (help, typos). */
export async function loadCommands(argv: readonly string[]): Promise<Register[]> {
  const first = argv.find((a) => !a.startsWith('-'));
  const one = COMMANDS.find(([name]) => name === first);
  const chosen = one ? [one] : COMMANDS;
  const modules = await Promise.all(chosen.map(([, load]) => load()));
  return modules.map((m) => m.register);
}

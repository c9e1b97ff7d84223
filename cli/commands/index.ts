// The command list, in the order `lapse --help` shows them. Each module exports `register(program)`.
import type { Command } from 'commander';
import { register as record } from './record.js';
import { register as proxy } from './proxy.js';
import { register as stats } from './stats.js';
import { register as simulate } from './simulate.js';
import { register as tui } from './tui.js';
import { register as view } from './view.js';
import { register as replay } from './replay.js';
import { register as exportCmd } from './export.js';
import { register as ls } from './ls.js';
import { register as dump } from './dump.js';
import { register as demo } from './demo.js';

export const COMMANDS: Array<(program: Command) => void> = [record, proxy, stats, simulate, tui, view, replay, exportCmd, ls, dump, demo];

import type { Command } from 'commander';
import { registerNotBuilt } from '../util/not-built.js';

export function register(program: Command): void {
  registerNotBuilt(program, 'simulate', 'the same session retimed under a faster model/transport profile');
}

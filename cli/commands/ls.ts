import type { Command } from 'commander';
import { registerNotBuilt } from '../util/not-built.js';

export function register(program: Command): void {
  registerNotBuilt(program, 'ls', 'recorded traces, newest first');
}

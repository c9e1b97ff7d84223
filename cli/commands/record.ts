import type { Command } from 'commander';
import { registerNotBuilt } from '../util/not-built.js';

export function register(program: Command): void {
  registerNotBuilt(program, 'record', 'start the recording proxy, run CMD pointed at it, write the trace');
}

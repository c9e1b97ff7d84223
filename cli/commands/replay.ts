import type { Command } from 'commander';
import { registerNotBuilt } from '../util/not-built.js';

export function register(program: Command): void {
  registerNotBuilt(program, 'replay', 'act as the model endpoint, serving recorded responses with original or simulated pacing');
}

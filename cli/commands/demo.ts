import type { Command } from 'commander';
import { registerNotBuilt } from '../util/not-built.js';

export function register(program: Command): void {
  registerNotBuilt(program, 'demo', 'record a built-in scripted session against the built-in model endpoint and show it');
}

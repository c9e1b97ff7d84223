import type { Command } from 'commander';
import { registerNotBuilt } from '../util/not-built.js';

export function register(program: Command): void {
  registerNotBuilt(program, 'export', 'interop exports: HAR, Chrome/Perfetto trace, OpenTelemetry');
}

import type { Command } from 'commander';
import { buildReport, GROUP_BY, sessionFigures, type GroupBy, type ReportJson, type SessionFigures } from '../report/across.js';
import { readModel } from '../report/read-model.js';
import { renderReport } from '../report/report-text.js';
import { textOptions } from '../report/format.js';
import { parseSince } from '../import/discover.js';
import { listTraces } from '../util/paths.js';
import { UsageError } from '../util/errors.js';
import { resolve } from 'node:path';

export interface ReportFlags {
  since?: string;
  by?: string;
}

/** The traces named, or every trace in the trace directory; read, filtered by --since, summed up. */
export function reportOf(traces: string[], flags: ReportFlags, onProgress?: (done: number, total: number) => void): ReportJson {
  const by = (flags.by ?? 'day') as GroupBy;
  if (!GROUP_BY.includes(by)) throw new UsageError(`--by: expected one of ${GROUP_BY.join(', ')}, got '${flags.by}'`);
  const since = parseSince(flags.since);
  const paths = traces.length ? traces.map((t) => resolve(t)) : listTraces().map((t) => t.path);
  const sessions: SessionFigures[] = [];
  const errors: ReportJson['errors'] = [];
  paths.forEach((path, i) => {
    onProgress?.(i, paths.length);
    try {
      const s = sessionFigures(path, readModel(path));
      if (since === null || (s.startedAt ?? 0) + s.durationMs >= since) sessions.push(s);
    } catch (err) {
      // a named trace that cannot be read is the user's mistake; one among many in the directory is noted
      if (traces.length) throw err;
      errors.push({ path, error: (err as Error).message.split('\n')[0] });
    }
  });
  onProgress?.(paths.length, paths.length);
  return buildReport(sessions, by, errors);
}

export function register(program: Command): void {
  program
    .command('report')
    .description('totals across sessions: time by kind, tokens, cost, what each profile would save')
    .argument('[trace...]', 'trace files (default: every trace in the trace directory)')
    .option('--since <when>', 'only sessions active since then: 7d, 12h, 30m, or a date (2026-11-30)')
    .option('--by <key>', `group by ${GROUP_BY.join(' | ')}`, 'day')
    .option('--json', 'print the figures as JSON (see docs/json.md)')
    .addHelpText(
      'after',
      `
Each session is read as \`lapse stats\` and \`lapse simulate\` read it; the totals are their sums.
"what a faster model or transport would change": each session simulated under spark (1,000 tok/s,
TTFT × 0.5), fast-mode (2.5× output speed), instant (no model time) and websocket (one persistent
connection with incremental input: the measured connection setup and re-sent upload gone, TTFT × 0.5,
per-token overhead × 0.7), summed. Cost is the sum over the sessions
whose models the price table knows (the others are counted as unpriced).

Examples:
  lapse import --since 7d && lapse report --since 7d     your last week
  lapse report --by model
  lapse report --json | jq '.whatIf.spark.savedMs / .durationMs'`,
    )
    .action((traces: string[], flags: ReportFlags & { json?: boolean }) => {
      const tty = process.stderr.isTTY === true;
      const r = reportOf(traces, flags, (done, total) => {
        if (tty && total >= 50 && (done % 25 === 0 || done === total)) process.stderr.write(`\rlapse: reading ${done}/${total} traces…${done === total ? '\n' : ''}`);
      });
      if (flags.json) {
        process.stdout.write(JSON.stringify(r, null, 2) + '\n');
        return;
      }
      process.stdout.write(renderReport(r, textOptions()));
    });
}

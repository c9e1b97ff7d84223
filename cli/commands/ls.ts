import type { Command } from 'commander';
import { readHead, streamTrace } from '../trace/load.js';
import { RequestCounter } from '../../analysis/request-count.js';
import { listTraces, tracesDir, type TraceFileInfo } from '../util/paths.js';
import { formatBytes, formatDuration } from '../record/summary.js';

/** Traces without a request count in their summary are read up to this size; bigger ones are listed without it. */
const READ_LIMIT = 16 * 1024 * 1024;
/** Only the newest traces are read, so a long history still lists at once. */
const READ_NEWEST = 50;

interface TraceListing {
  path: string;
  name: string;
  size: number;
  mtimeMs: number;
  startedAt: number | null;
  harness: string | null;
  durationMs: number | null;
  requests: number | null;
  truncated: boolean | null;
}

function describe(info: TraceFileInfo, index: number): TraceListing {
  const out: TraceListing = { ...info, startedAt: null, harness: null, durationMs: null, requests: null, truncated: null };
  if (index >= READ_NEWEST) return out;
  try {
    // A finished trace carries its figures in its first frame: nothing else is read.
    const { session, summary } = readHead(info.path);
    if (session) {
      out.startedAt = session.startedAt;
      out.harness = session.harness;
    }
    if (summary) {
      out.durationMs = summary.lastT / 1000;
      out.truncated = false;
      if (summary.requests !== undefined) {
        out.requests = summary.requests;
        return out;
      }
    }
  } catch {
    return out; // unreadable: listed without the figures
  }
  if (info.size > READ_LIMIT) return out;
  try {
    // Counted by the analysis' grouping, so `ls` and `stats` count the same requests.
    const count = new RequestCounter();
    const meta = streamTrace(info.path, (r) => count.add(r));
    const { requests, durationMs } = count.finish();
    out.durationMs = durationMs;
    out.requests = requests;
    out.truncated = meta.truncated;
  } catch {
    // unreadable: listed without the figures
  }
  return out;
}

export function register(program: Command): void {
  program
    .command('ls')
    .description('recorded traces, newest first')
    .option('--json', 'print JSON: [{ path, name, size, mtimeMs, startedAt, harness, durationMs, requests, truncated }]')
    .addHelpText(
      'after',
      `
Lists the trace directory ($LAPSE_HOME, else ~/.local/share/lapse/traces). Figures are given for the
50 newest traces. "requests" counts model requests as \`lapse stats\` does (HTTP model calls plus
responses asked for over a WebSocket; not GET /v1/models or token counts), read from the summary a
finished trace carries in its first frame; a trace without that count is read, up to 16 MB (bigger
ones show "?"). "+" marks a trace that stops early (the recording was cut).

Examples:
  lapse ls
  lapse ls --json | jq -r '.[0].path'`,
    )
    .action((flags: { json?: boolean }) => {
      const rows = listTraces().map(describe);
      if (flags.json) {
        process.stdout.write(JSON.stringify(rows, null, 2) + '\n');
        return;
      }
      if (!rows.length) {
        process.stdout.write(`no traces in ${tracesDir()} (record one with \`lapse record -- CMD\` or try \`lapse demo\`)\n`);
        return;
      }
      const table = rows.map((r) => [
        new Date(r.startedAt ?? r.mtimeMs).toLocaleString('sv-SE').slice(0, 16),
        r.durationMs === null ? '?' : formatDuration(r.durationMs),
        r.requests === null ? '?' : String(r.requests) + (r.truncated ? '+' : ''),
        formatBytes(r.size),
        r.path,
      ]);
      const head = ['started', 'duration', 'requests', 'size', 'path'];
      const widths = head.map((h, i) => Math.max(h.length, ...table.map((row) => row[i].length)));
      const line = (cells: string[]) =>
        cells.map((c, i) => (i === cells.length - 1 ? c : i === 0 || i === 4 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
      process.stdout.write([line(head), ...table.map(line)].join('\n') + '\n');
    });
}

import { statSync } from 'node:fs';
import { Option, type Command } from 'commander';
import { analyse } from '../../analysis/session.js';
import { loadTrace } from '../trace/load.js';
import { resolveTraceArg } from '../util/paths.js';
import { UsageError } from '../util/errors.js';
import { LAPSE_VERSION } from '../util/version.js';
import { toHar } from '../export/har.js';
import { toChromeTrace } from '../export/chrome.js';
import { toOtlp } from '../export/otlp.js';
import { jsonChunks } from '../export/json-chunks.js';
import { writeChunks } from '../export/write.js';
import { postOtlp, tracesUrl } from '../export/post.js';
import { makeProgress } from '../export/progress.js';
import { exportInput, type ExportInput } from '../export/input.js';
import { asciicastLines, noTerminalReason, type AsciicastVersion } from '../export/asciicast.js';
import { formatBytes } from '../../analysis/present.js';

const FORMATS = ['har', 'chrome', 'otlp', 'asciicast'] as const;
type Format = (typeof FORMATS)[number];

/** Traces this large get progress lines even when stderr is not a terminal. */
const BIG_TRACE_BYTES = 16 << 20;

interface Opts {
  format?: Format;
  output?: string;
  otlpEndpoint?: string;
  asciicastVersion?: string;
}

export function register(program: Command): void {
  program
    .command('export')
    .description('interop exports: HAR, Chrome/Perfetto trace, OpenTelemetry, asciicast (the terminal)')
    .argument('[trace]', 'trace file (default: the newest one)')
    .addOption(new Option('-f, --format <format>', 'what to export').choices(FORMATS))
    .option('-o, --output <file>', 'write to FILE instead of stdout')
    .option('--asciicast-version <n>', 'asciicast 3 (default; asciinema 3) or 2 (older players)')
    .option('--otlp-endpoint <url>', 'POST the OTLP/JSON export to a collector (implies --format otlp; /v1/traces is appended to a bare URL)')
    .addHelpText(
      'after',
      `
Examples:
  lapse export --format har -o session.har        open in Chrome DevTools: Network → Import HAR
  lapse export run.lapse --format chrome -o run.json
                                                  open in ui.perfetto.dev (or chrome://tracing)
  lapse export --format otlp | jq '.resourceSpans[0].scopeSpans[0].spans | length'
  lapse export --otlp-endpoint http://127.0.0.1:4318
                                                  send it to an OpenTelemetry collector (Jaeger, Tempo…)
  lapse export --format asciicast -o run.cast && asciinema play run.cast
                                                  the harness's terminal as it was, a marker per request

har:    every HTTP exchange with its rebuilt request and response bodies, timings (send, wait,
        receive), SSE events with their arrival times (_sseEvents), WebSocket frames in Chrome's
        _webSocketMessages form, and lapse's figures per model call (_lapse).
chrome: the critical path (model wait, stream, tool, user, harness), each request as an async slice
        with its wait and stream nested inside, file changes as instants, output tokens/s as a counter.
otlp:   OTLP/JSON with the OpenTelemetry GenAI conventions: an invoke_agent span for the session,
        a chat span per model call (gen_ai.usage.*, gen_ai.response.time_to_first_chunk…), an
        execute_tool span per tool gap. Ids are derived from the trace, so exporting twice is idempotent.
asciicast: what the harness drew on its terminal (traces recorded on a terminal), with resizes, a
        marker ("m") named by the request id at each model request, the exit code ("x", v3), and
        typed input ("i") only if recorded with --record-input. v3 by default; --asciicast-version 2
        for asciinema 2.x players.
Exports hold prompts and code as recorded (secrets were redacted when recording); files are 0600.`,
    )
    .action(async (trace: string | undefined, opts: Opts) => {
      const format: Format | undefined = opts.format ?? (opts.otlpEndpoint ? 'otlp' : undefined);
      if (!format) throw new UsageError('say which export: --format har, --format chrome, --format otlp or --format asciicast');
      if (opts.asciicastVersion !== undefined && (format !== 'asciicast' || !['2', '3'].includes(opts.asciicastVersion))) {
        throw new UsageError(format !== 'asciicast' ? '--asciicast-version goes with --format asciicast' : `--asciicast-version must be 2 or 3, got ${opts.asciicastVersion}`);
      }
      if (opts.otlpEndpoint && format !== 'otlp') throw new UsageError(`--otlp-endpoint sends OTLP; it cannot send --format ${format}`);
      if (opts.otlpEndpoint) tracesUrl(opts.otlpEndpoint); // bad URL: fail before reading the trace
      const output = opts.output === '-' ? null : (opts.output ?? null);

      const path = resolveTraceArg(trace);
      const size = fileSize(path);
      const progress = makeProgress({ tty: process.stderr.isTTY === true, big: size >= BIG_TRACE_BYTES });
      progress.phase(`reading ${path}`);
      const loaded = loadTrace(path);
      progress.phase('analysing');
      const analysis = analyse(loaded);
      const model = analysis.model;
      const input: ExportInput = exportInput(analysis, { lapseVersion: LAPSE_VERSION, onProgress: (d, t) => progress.update(d, t) });
      // A trace without its session record (cut at the start) still needs a wall clock: the file's age.
      if (!model.session) input.startedAt = mtime(path) - model.durationMs;
      if (format === 'asciicast') {
        progress.phase('writing');
        const version = Number(opts.asciicastVersion ?? 3) as AsciicastVersion;
        const why = noTerminalReason(input);
        if (why) throw new UsageError(why);
        const bytes = await writeChunks(asciicastLines(input, loaded.records, version), output);
        progress.done();
        if (output) process.stderr.write(`lapse: wrote asciicast v${version} (${formatBytes(bytes)}) to ${output}\n`);
        return;
      }
      progress.phase(`building ${format}`);
      const built = format === 'har' ? toHar(input) : format === 'chrome' ? toChromeTrace(input) : toOtlp(input);
      const depth = format === 'har' ? 3 : format === 'chrome' ? 2 : 6;

      if (opts.otlpEndpoint) {
        progress.phase('sending');
        const res = await postOtlp(opts.otlpEndpoint, JSON.stringify(built));
        if (output) await writeChunks(jsonChunks(built, depth), output);
        progress.done();
        const spans = format === 'otlp' ? countSpans(built as ReturnType<typeof toOtlp>) : 0;
        process.stderr.write(`lapse: sent ${spans} spans to ${tracesUrl(opts.otlpEndpoint).href} (${res.status})\n`);
        if (res.rejectedSpans > 0) process.stderr.write(`lapse: the collector rejected ${res.rejectedSpans} spans${res.message ? `: ${res.message}` : ''}\n`);
        return;
      }
      progress.phase('writing');
      const bytes = await writeChunks(jsonChunks(built, depth), output);
      progress.done();
      if (output) process.stderr.write(`lapse: wrote ${format} export (${formatBytes(bytes)}) to ${output}\n`);
      if (loaded.truncated) process.stderr.write(`lapse: note: the trace was cut short; exported what it holds\n`);
    });
}

function fileSize(path: string): number {
  try {
    return statSync(path).size;
  } catch {
    return 0; // loadTrace reports the real problem
  }
}

function mtime(path: string): number {
  try {
    return statSync(path).mtimeMs;
  } catch {
    return Date.now();
  }
}

function countSpans(o: ReturnType<typeof toOtlp>): number {
  return o.resourceSpans.reduce((n, rs) => n + rs.scopeSpans.reduce((k, ss) => k + ss.spans.length, 0), 0);
}


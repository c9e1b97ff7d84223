// The harness's terminal as an asciicast (asciinema's format): v3 by default (relative intervals,
// `term` header, `x` exit event), v2 for players older than asciinema 3 (absolute times). A marker
// (`m`) at each model request, named by its trace id, so a player can jump from request to request.
// Output from the terminal records, decoded as the model decoded it; input (`i`) only when the trace
// kept the typed text (`--record-input`).
import type { TraceRecord } from '../../format/types.js';
import type { ExportInput } from './input.js';

export type AsciicastVersion = 2 | 3;

interface Ev {
  tMs: number;
  code: 'o' | 'i' | 'r' | 'm' | 'x';
  data: string;
}

/** Why a trace cannot be exported as an asciicast, or null when it can. */
export function noTerminalReason(input: ExportInput): string | null {
  const term = input.model.terminal;
  if (term && (term.output.length || term.sizes.length)) return null;
  return "this trace has no terminal records (the harness did not run in lapse's pseudo-terminal: pipes, CI, --no-pty, or an older trace)";
}

/** The asciicast's lines (header first), each ending in a newline. */
export function* asciicastLines(input: ExportInput, records: readonly TraceRecord[], version: AsciicastVersion = 3): Generator<string> {
  const { model } = input;
  const why = noTerminalReason(input);
  if (why) throw new Error(why);
  const term = model.terminal!;
  const first = term.sizes[0] ?? { cols: 80, rows: 24 };
  const startedAt = input.startedAt ?? model.session?.startedAt ?? 0;
  const command = model.session ? model.session.argv.join(' ') : undefined;
  const title = `lapse: ${model.session?.harness ?? 'session'}`;
  const header =
    version === 3
      ? { version: 3, term: { cols: first.cols, rows: first.rows }, timestamp: Math.floor(startedAt / 1000), command, title }
      : { version: 2, width: first.cols, height: first.rows, timestamp: Math.floor(startedAt / 1000), command, title };
  yield JSON.stringify(header) + '\n';

  const events: Ev[] = [];
  for (const s of term.sizes.slice(1)) events.push({ tMs: s.tMs, code: 'r', data: `${s.cols}x${s.rows}` });
  for (const o of term.output) if (o.text) events.push({ tMs: o.tMs, code: 'o', data: o.text });
  for (const r of records) if (r.kind === 'term-input' && r.text !== undefined) events.push({ tMs: r.t / 1000, code: 'i', data: r.text });
  for (const r of model.requests) events.push({ tMs: r.startMs, code: 'm', data: `${r.id}${r.model ? ` ${r.model}` : ''}` });
  const exit = model.processes[0];
  if (version === 3 && exit && exit.endMs !== null && exit.code !== null) events.push({ tMs: exit.endMs, code: 'x', data: String(exit.code) });
  // stable: at one instant, the order above (resize before what is drawn at that size)
  events.sort((a, b) => a.tMs - b.tMs);

  let prev = 0;
  for (const e of events) {
    const t = Math.max(0, e.tMs);
    const time = version === 3 ? t - prev : t;
    prev = t;
    yield `[${seconds(time)}, ${JSON.stringify(e.code)}, ${JSON.stringify(e.data)}]\n`;
  }
}

/** Seconds with µs precision, as a JSON number. */
function seconds(ms: number): string {
  return (Math.round(ms * 1000) / 1e6).toFixed(6).replace(/\.?0+$/, '') || '0';
}

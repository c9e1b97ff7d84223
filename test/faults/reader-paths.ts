// Every way lapse reads a trace, as a function of a file on disk: the real command actions (stats,
// simulate, dump, export) run in-process through commander with stdout captured, and the loaders of
// the commands that serve or draw a trace (replay's cassette, the web viewer's progressive loader,
// the TUI's state). Each returns a check of its result ("" when the result is correct) or throws:
// a UsageError / LoadError with one line is a proper refusal; anything else is a bug.
import { readFileSync } from 'node:fs';
import { Command } from 'commander';
import { register as registerStats } from '../../cli/commands/stats.js';
import { register as registerSimulate } from '../../cli/commands/simulate.js';
import { register as registerDump } from '../../cli/commands/dump.js';
import { register as registerExport } from '../../cli/commands/export.js';
import { loadTrace } from '../../cli/trace/load.js';
import { UsageError } from '../../cli/util/errors.js';
import { analyseTrace } from '../../analysis/session.js';
import { PROFILE_NAMES, PROFILES, simulate } from '../../analysis/simulate.js';
import { buildCassette } from '../../cli/replay/cassette.js';
import { planResponse, type Pacing } from '../../cli/replay/pacing.js';
import { TuiState, PROFILE_CYCLE } from '../../cli/tui/state.js';
import { bytesSource, loadProgressive, LoadError } from '../../viewer/src/load.js';
import { ViewerState } from '../../viewer/src/state.js';
import { TokenRate } from '../../viewer/src/token-rate.js';
import { validateHar } from '../export/validate-har.js';
import { validateTraceEvents } from '../export/validate-chrome.js';
import { validateOtlp } from '../export/validate-otlp.js';

export type ReaderPath = (file: string, variant: number) => Promise<string>;

/** Runs one registered command's real action with stdout/stderr captured. */
async function runAction(register: (p: Command) => void, argv: string[]): Promise<{ out: string; err: string }> {
  const program = new Command();
  program.exitOverride();
  program.configureOutput({ writeOut: () => undefined, writeErr: () => undefined });
  register(program);
  const out: string[] = [];
  const err: string[] = [];
  const capture = (sink: string[]) =>
    ((chunk: unknown, enc?: unknown, cb?: unknown) => {
      sink.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk as Uint8Array).toString());
      const done = typeof enc === 'function' ? enc : cb;
      if (typeof done === 'function') done();
      return true;
    }) as typeof process.stdout.write;
  const so = process.stdout.write;
  const se = process.stderr.write;
  process.stdout.write = capture(out);
  process.stderr.write = capture(err);
  try {
    await program.parseAsync(['node', 'lapse', ...argv]);
  } finally {
    process.stdout.write = so;
    process.stderr.write = se;
  }
  return { out: out.join(''), err: err.join('') };
}

const num = (v: unknown) => typeof v === 'number' && Number.isFinite(v);
const numOrNull = (v: unknown) => v === null || num(v);
const BREAKDOWN = ['modelWaitMs', 'modelStreamMs', 'toolMs', 'userMs', 'harnessMs'] as const;
const REQUEST_KEYS = ['id', 'protocol', 'transport', 'model', 'startMs', 'firstByteMs', 'ttftMs', 'endMs', 'inputTokens', 'outputTokens', 'tokensPerSecond', 'stopReason', 'toolCalls', 'status', 'critical'];

/** The design.md contract of `stats --json`, and the breakdown summing to the duration. */
function checkBreakdown(b: Record<string, unknown>, durationMs: unknown, at: string): string {
  if (!num(durationMs) || (durationMs as number) < 0) return `${at}: durationMs ${durationMs}`;
  let sum = 0;
  for (const k of BREAKDOWN) {
    if (!num(b?.[k]) || (b[k] as number) < -1e-6) return `${at}: breakdown.${k} = ${b?.[k]}`;
    sum += b[k] as number;
  }
  if (Math.abs(sum - (durationMs as number)) > Math.max(0.01, (durationMs as number) * 1e-6)) return `${at}: breakdown sums to ${sum}, duration ${durationMs}`;
  return '';
}

export function checkStatsJson(j: Record<string, unknown>): string {
  const t = j.trace as Record<string, unknown>;
  if (!t || typeof t.truncated !== 'boolean' || typeof t.formatVersion !== 'string' || !num(t.records)) return 'stats: trace block';
  const b = checkBreakdown(j.breakdown as Record<string, unknown>, j.durationMs, 'stats');
  if (b) return b;
  if (!Array.isArray(j.requests) || !Array.isArray(j.files)) return 'stats: requests/files';
  for (const r of j.requests as Array<Record<string, unknown>>) {
    for (const k of REQUEST_KEYS) if (r[k] === undefined) return `stats: request lacks ${k}`;
    for (const k of ['startMs', 'endMs']) if (!num(r[k])) return `stats: request ${k} = ${r[k]}`;
    for (const k of ['firstByteMs', 'ttftMs', 'inputTokens', 'outputTokens', 'tokensPerSecond']) if (!numOrNull(r[k])) return `stats: request ${k} = ${r[k]}`;
    if (!['complete', 'aborted', 'error'].includes(r.status as string)) return `stats: status ${r.status}`;
  }
  return '';
}

export function checkSimulateJson(j: Record<string, unknown>): string {
  const o = j.original as Record<string, unknown>;
  const s = j.simulated as Record<string, unknown>;
  if (!j.profile || !o || !s) return 'simulate: shape';
  return checkBreakdown(o.breakdown as Record<string, unknown>, o.durationMs, 'simulate.original') || checkBreakdown(s.breakdown as Record<string, unknown>, s.durationMs, 'simulate.simulated') || (numOrNull(j.speedup) ? '' : `simulate: speedup ${j.speedup}`);
}

/** Text reports must not print numbers that went wrong. */
export function checkText(s: string, what: string): string {
  if (!s.length) return `${what}: empty output`;
  if (/\bNaN\b|\bInfinity\b|undefined/.test(s)) return `${what}: output shows ${/\bNaN\b|\bInfinity\b|undefined/.exec(s)![0]}`;
  return '';
}

const FORMATS = ['har', 'chrome', 'otlp'] as const;

export const READER_PATHS: Record<string, ReaderPath> = {
  async stats(file, v) {
    const json = v % 2 === 0;
    const { out } = await runAction(registerStats, json ? ['stats', file, '--json'] : ['stats', file]);
    return json ? checkStatsJson(JSON.parse(out)) : checkText(out, 'stats');
  },
  async simulate(file, v) {
    const json = v % 2 === 0;
    const profile = PROFILE_NAMES[Math.floor(v / 2) % PROFILE_NAMES.length];
    const { out } = await runAction(registerSimulate, ['simulate', file, '--profile', profile, ...(json ? ['--json'] : [])]);
    return json ? checkSimulateJson(JSON.parse(out)) : checkText(out, 'simulate');
  },
  async dump(file, v) {
    const json = v % 2 === 0;
    const raw = v % 4 >= 2;
    const { out } = await runAction(registerDump, ['dump', file, ...(json ? ['--json'] : []), ...(raw ? ['--raw'] : [])]);
    const lines = out.split('\n');
    if (lines.pop() !== '') return 'dump: output does not end with a newline';
    if (json) for (const l of lines) JSON.parse(l);
    return lines.length > 0 ? '' : 'dump: no lines';
  },
  async export(file, v) {
    const format = FORMATS[v % FORMATS.length];
    const { out } = await runAction(registerExport, ['export', file, '--format', format]);
    const doc = JSON.parse(out);
    // Validating is slower than exporting: every 4th input of each format.
    if (Math.floor(v / FORMATS.length) % 4 !== 0) return '';
    const problems = format === 'har' ? validateHar(doc) : format === 'chrome' ? validateTraceEvents(doc) : validateOtlp(doc);
    return problems.length ? `export ${format}: ${problems.slice(0, 3).join('; ')}` : '';
  },
  /** What `lapse replay` does before it serves: load, build the cassette, plan every response. */
  async replay(file, v) {
    const loaded = loadTrace(file);
    const cassette = buildCassette(loaded);
    if (cassette.http.length === 0 && cassette.turns.length === 0) throw new UsageError(`${file} holds no model requests to replay`);
    const pacings: Pacing[] = [{ kind: 'recorded', speed: 1 }, { kind: 'instant' }, { kind: 'profile', profile: PROFILES.spark }, { kind: 'profile', profile: PROFILES.instant }];
    const pacing = pacings[v % pacings.length];
    for (const r of [...cassette.http, ...cassette.turns]) {
      const plan = planResponse(r, r.kind === 'http' ? (r.head?.tMs ?? null) : null, pacing);
      if (plan.pieceMs.length !== r.pieces.length) return 'replay: a plan lost pieces';
      for (let k = 0; k < plan.pieceMs.length; k++) {
        if (!num(plan.pieceMs[k]) || plan.pieceMs[k] < 0 || (k > 0 && plan.pieceMs[k] < plan.pieceMs[k - 1])) return `replay: piece time ${plan.pieceMs[k]}`;
      }
      if (!num(plan.endMs) || !num(plan.headMs)) return `replay: head ${plan.headMs} end ${plan.endMs}`;
      for (const p of r.pieces) if (!(p.bytes instanceof Uint8Array)) return 'replay: a piece without bytes';
    }
    return '';
  },
  /** The web viewer's code path: progressive load from bytes, then its state and tokens/s index. */
  async view(file) {
    const bytes = new Uint8Array(readFileSync(file));
    const loaded = await loadProgressive(bytesSource('fuzz.lapse', bytes));
    const st = new ViewerState(loaded.name, loaded.model, loaded.exchanges);
    for (const name of PROFILE_NAMES) {
      st.profile = PROFILES[name];
      st.sim = simulate(st.model, st.profile);
      if (!num(st.sim.simulated.durationMs)) return `view: simulated duration ${st.sim.simulated.durationMs}`;
    }
    const rate = new TokenRate(loaded.model);
    for (let k = 1; k < rate.times.length; k++) if (!(rate.times[k] >= rate.times[k - 1])) return 'view: token times out of order';
    return '';
  },
  /** What `lapse tui` builds before it draws: the model and the player state for every profile. */
  async tui(file) {
    const loaded = loadTrace(file);
    const st = new TuiState(analyseTrace(loaded));
    for (let k = 0; k < PROFILE_CYCLE.length; k++) {
      st.profileIndex = k;
      const sim = st.sim;
      if (sim && !num(sim.simulated.durationMs)) return `tui: simulated duration ${sim.simulated.durationMs}`;
    }
    return '';
  },
};

/** A refusal the CLI turns into "lapse: <one line>" and exit code 2. */
export function isProperRefusal(err: unknown): boolean {
  return (err instanceof UsageError || err instanceof LoadError) && !err.message.includes('\n') && err.message.length > 0;
}

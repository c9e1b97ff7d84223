import type { Command } from 'commander';
import { UsageError } from '../util/errors.js';
import { isLoopback } from '../util/host-check.js';
import { resolveTraceArg } from '../util/paths.js';
import { loadTrace } from '../trace/load.js';
import { PROFILE_NAMES, resolveProfile, type ProfileOverrides } from '../../analysis/simulate.js';
import { buildCassette } from '../replay/cassette.js';
import { describePacing, type Pacing } from '../replay/pacing.js';
import { DEFAULT_THRESHOLD, startReplayServer, type ReplaySummary } from '../replay/server.js';
import { TraceOut } from '../replay/trace-out.js';
import { childArgs, childEnv } from '../record/harness.js';
import { baseUrlsAt } from '../record/upstreams.js';
import { runChild, SpawnError } from '../record/child.js';
import { hostFlag } from '../util/host.js';

interface ReplayFlags {
  port?: string;
  host?: string;
  speed?: string;
  instant?: boolean;
  profile?: string;
  tps?: string;
  ttftScale?: string;
  speedFactor?: string;
  strict?: boolean;
  threshold?: string;
  recordTo?: string;
  quiet?: boolean;
}

function positive(flag: string, v: string): number {
  const n = Number(v);
  if (!/^\s*[0-9.eE+-]+\s*$/.test(v) || !Number.isFinite(n) || n <= 0) throw new UsageError(`${flag} must be a positive number, got ${v}`);
  return n;
}

function nonNegative(flag: string, v: string): number {
  const n = Number(v);
  if (!/^\s*[0-9.eE+-]+\s*$/.test(v) || !Number.isFinite(n) || n < 0) throw new UsageError(`${flag} must be a number ≥ 0, got ${v}`);
  return n;
}

export function pacingFromFlags(f: ReplayFlags): Pacing {
  const profileFlags = ['profile', 'tps', 'ttftScale', 'speedFactor'].filter((k) => f[k as keyof ReplayFlags] !== undefined);
  const modes = [f.speed !== undefined ? '--speed' : null, f.instant ? '--instant' : null, profileFlags.length ? '--profile/--tps/--ttft-scale/--speed-factor' : null].filter(Boolean);
  if (modes.length > 1) throw new UsageError(`choose one pacing: ${modes.join(' or ')}`);
  if (f.instant) return { kind: 'instant' };
  if (f.speed !== undefined) return { kind: 'recorded', speed: positive('--speed', f.speed) };
  if (profileFlags.length === 0) return { kind: 'recorded', speed: 1 };
  const o: ProfileOverrides = {};
  if (f.tps !== undefined) o.tokensPerSecond = positive('--tps', f.tps);
  if (f.speedFactor !== undefined) o.speedFactor = positive('--speed-factor', f.speedFactor);
  if (f.ttftScale !== undefined) o.ttftScale = nonNegative('--ttft-scale', f.ttftScale);
  const profile = resolveProfile(f.profile, o);
  if (!profile) throw new UsageError(`unknown profile ${f.profile}; choose one of ${PROFILE_NAMES.join(', ')}`);
  return { kind: 'profile', profile };
}

function parsePort(v: string): number {
  if (!/^\d+$/.test(v) || Number(v) > 65535) throw new UsageError(`--port must be a port number (0-65535), got ${v}`);
  return Number(v);
}

/** `lapse replay [TRACE] [-- CMD…]`: commander hands us every operand; those after `--` are the command. */
function splitOperands(operands: string[], rawArgs: string[]): { trace: string | undefined; cmd: string[] } {
  const dd = rawArgs.indexOf('--');
  if (dd === -1) {
    if (operands.length > 1) throw new UsageError(`one trace at most (got ${operands.join(' ')}); put a command to run after --`);
    return { trace: operands[0], cmd: [] };
  }
  const after = rawArgs.length - dd - 1;
  const before = operands.length - after;
  if (before > 1) throw new UsageError(`one trace at most (got ${operands.slice(0, before).join(' ')})`);
  return { trace: before === 1 ? operands[0] : undefined, cmd: operands.slice(before) };
}

function summaryLine(s: ReplaySummary): string {
  const parts = [`served ${s.served} of ${s.recorded} recorded responses`];
  if (s.mismatched) parts.push(`${s.mismatched} loosely matched`);
  if (s.refused) parts.push(`${s.refused} refused`);
  if (s.aborted) parts.push(`${s.aborted} cut short by the client`);
  if (s.unplayed.length) parts.push(`never asked for: ${s.unplayed.slice(0, 8).join(', ')}${s.unplayed.length > 8 ? ', …' : ''}`);
  return parts.join('; ');
}

export function register(program: Command): void {
  program
    .command('replay')
    .description('act as the model endpoint, serving the recorded responses with original or simulated pacing')
    .argument('[trace]', 'trace file (default: the newest one)')
    .argument('[cmd...]', 'after --: a harness to run pointed at the replay (lapse exits with its code)')
    .option('--port <n>', 'port (default: any free port)')
    .option('--host <addr>', 'address to listen on (default 127.0.0.1; anything else is reachable from other machines)')
    .option('--speed <x>', 'as recorded but every wait divided by X (2 = twice as fast)')
    .option('--instant', 'send every response at once')
    .option('--profile <name>', `pace as a simulated model: ${PROFILE_NAMES.join(', ')}`)
    .option('--tps <n>', 'simulated output tokens per second (stream = output tokens / N)')
    .option('--ttft-scale <x>', 'simulated time to first token = recorded × X')
    .option('--speed-factor <x>', 'simulated stream = recorded stream / X')
    .option('--strict', 'refuse requests that match no recording well (HTTP 409, or an error event on WebSocket)')
    .option('--threshold <x>', `similarity (0-1) below which a request is a mismatch (default ${DEFAULT_THRESHOLD})`)
    .option('--record-to <file>', 'record the replayed run as a trace too (compare with lapse stats)')
    .option('-q, --quiet', 'no per-request log lines (warnings still shown)')
    .addHelpText(
      'after',
      `
Serves a recorded session back to a real harness: each request gets the recorded response whose
request is most like it (same method and path, not played yet), with the recorded status, headers
and body bytes; only the timing changes with the pacing options. No API key, no network.

Examples:
  lapse replay                               the newest trace, paced as recorded
  lapse replay run.lapse --profile spark     as if the model ran at 1,000 tok/s, TTFT halved
  lapse replay --tps 400 --ttft-scale 0.3    a custom model
  lapse replay --instant --strict            a cassette for harness tests: instant, exact or 409
  lapse replay --profile spark --record-to spark.lapse -- claude
                                             run claude against it, then: lapse stats spark.lapse

Point a harness at the printed URLs (stdout), e.g.:
  ANTHROPIC_BASE_URL=http://127.0.0.1:PORT claude
  OPENAI_BASE_URL=http://127.0.0.1:PORT/v1 my-agent
  codex -c openai_base_url="http://127.0.0.1:PORT/v1" exec "…"
Each served request is logged on stderr with recorded vs served TTFT and duration. Ctrl-C stops.`,
    )
    .action(async (operands: string[] | string | undefined, cmdArgs: string[] | undefined, flags: ReplayFlags, command: Command) => {
      const all = [...(typeof operands === 'string' ? [operands] : (operands ?? [])), ...(cmdArgs ?? [])];
      const { trace, cmd } = splitOperands(all, (command.parent as unknown as { rawArgs?: string[] } | null)?.rawArgs ?? process.argv);
      const pacing = pacingFromFlags(flags);
      let threshold = DEFAULT_THRESHOLD;
      if (flags.threshold !== undefined) {
        threshold = Number(flags.threshold);
        if (!/^\s*[0-9.]+\s*$/.test(flags.threshold) || !(threshold >= 0 && threshold <= 1)) throw new UsageError(`--threshold must be a number from 0 to 1, got ${flags.threshold}`);
      }
      const host = flags.host === undefined ? '127.0.0.1' : hostFlag(flags.host);
      const port = flags.port === undefined ? 0 : parsePort(flags.port);
      const tracePath = resolveTraceArg(trace);
      const loaded = loadTrace(tracePath);
      const cassette = buildCassette(loaded);
      if (cassette.http.length === 0 && cassette.turns.length === 0) throw new UsageError(`${tracePath} holds no model requests to replay`);
      const warn = (m: string) => process.stderr.write(`lapse replay: warning: ${m}\n`);
      if (!isLoopback(host)) warn(`listening on ${host}: other machines can reach this endpoint and read the recorded responses`);
      if (loaded.truncated) warn(`the trace was cut short (${loaded.damage ?? 'the file ends inside a record'}); replaying what it holds`);

      let out: TraceOut | null = null;
      if (flags.recordTo) {
        out = new TraceOut({ path: flags.recordTo, argv: ['lapse', 'replay', ...process.argv.slice(3)], cwd: process.cwd(), source: `replay:${tracePath}` });
        out.check();
      }
      const server = await startReplayServer({
        cassette,
        pacing,
        strict: Boolean(flags.strict),
        threshold,
        host,
        port,
        out,
        log: (line) => {
          if (flags.quiet && !line.startsWith('lapse replay: warning:')) return;
          process.stderr.write(line + '\n');
        },
      }).catch((err: NodeJS.ErrnoException) => {
        throw new UsageError(`cannot listen on ${host}:${port}: ${err.code ?? err.message}`);
      });
      const baseUrls = baseUrlsAt(server.url);
      const anthropicUrl = baseUrls.anthropic;
      const openaiUrl = baseUrls.openai;
      const urls = [`ANTHROPIC_BASE_URL=${anthropicUrl}`, `OPENAI_BASE_URL=${openaiUrl}`, `codex: -c openai_base_url="${openaiUrl}"`];
      // The URLs are this command's output proper (stdout); with a child they go to stderr so the
      // child's own stdout stays its own.
      if (cmd.length === 0) process.stdout.write(urls.join('\n') + '\n');
      else process.stderr.write(urls.map((u) => `lapse replay: ${u}`).join('\n') + '\n');
      const ws = cassette.turns.length ? ` and ${cassette.turns.length} WebSocket responses` : '';
      process.stderr.write(`lapse replay: ${tracePath}: ${cassette.http.length} HTTP exchanges${ws}, ${describePacing(pacing)}${flags.strict ? ', strict' : ''}\n`);

      const finish = async (): Promise<void> => {
        await server.close();
        process.stderr.write(`lapse replay: ${summaryLine(server.summary())}\n`);
        if (out) {
          if (out.degraded) warn(`the replay trace is incomplete: ${out.degraded}`);
          process.stderr.write(`lapse replay: trace of the replay: ${out.path}\n`);
        }
      };

      if (cmd.length === 0) {
        process.stderr.write('lapse replay: Ctrl-C to stop\n');
        await new Promise<void>((resolve) => {
          for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.once(sig, () => resolve());
        });
        await finish();
        process.exit(0);
      }

      const [prog, ...args] = cmd;
      const argv = childArgs(prog, args, baseUrls);
      let exitCode: number;
      try {
        const child = await runChild(prog, argv, childEnv(prog, process.env, baseUrls, out?.path ?? ''));
        out?.write({ kind: 'process-start', t: out.now(), pid: child.pid, argv: [prog, ...argv] });
        const exit = await child.done;
        out?.write({ kind: 'process-exit', t: out.now(), pid: child.pid, code: exit.code, signal: exit.signal });
        exitCode = exit.exitCode;
      } catch (err) {
        await finish();
        if (err instanceof SpawnError) throw new UsageError(err.message, err.exitCode);
        throw err;
      }
      await finish();
      process.exit(exitCode);
    });
}

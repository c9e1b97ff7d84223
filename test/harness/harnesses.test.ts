// Every listed harness, the real CLI from npm, through `lapse record` against the built-in endpoint:
// the session completes, it writes a file with its own write tool (or its shell) and runs a command,
// `lapse stats` names its protocol and transport, TTFT and tokens/s of every request agree with what
// the endpoint's own log says it did (5 %: a first request included, since the proxy rehearses its
// relay at start, see cli/record/warm-up.ts), and the API key is nowhere in the trace. One retry: a
// harness CLI competing for two busy cores can starve the proxy for a few hundred ms, which a whole
// run does not repeat. Skipped when the CLIs are not installed (`.ci/run` installs them); under
// CI=true a missing CLI fails.
import { appendFileSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { decoderForUrl, PROTOCOLS } from '../../analysis/protocols/index.js';
import { HELLO_FILE, HELLO_OUTPUT } from '../../cli/model/harness-script.js';
import { startModelServer, type RequestLogEntry } from '../../cli/model/server.js';
import { loadTrace } from '../../cli/trace/load.js';
import { bodyJson } from '../../format/body.js';
import { binOf, CASES, HARNESS_DIR, ROOT, recordHarness, run } from './harnesses.js';

const LAPSE = join(ROOT, 'bin', 'lapse.js');
// Slow enough that a loaded machine's scheduling noise (tens of ms) stays well inside 5 %.
const TTFT_MS = 1500;
const TPS = 40;
const scratch = mkdtempSync(join(tmpdir(), 'lapse-harness-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** The tool results a request carried back, in any protocol (HTTP bodies and WebSocket frames). */
function toolResults(tracePath: string): string[] {
  const out: string[] = [];
  const responses = PROTOCOLS.find((p) => p.socket)!;
  for (const r of loadTrace(tracePath).records) {
    if (r.kind === 'http-request') {
      const d = decoderForUrl(r.url);
      const body = bodyJson(r.body);
      if (d && body !== undefined) out.push(...d.input(body, []).results.map((x) => x.text));
    } else if (r.kind === 'ws-message' && r.dir === 'up') {
      const body = bodyJson(r.data);
      if (body !== undefined) out.push(...responses.input(body, []).results.map((x) => x.text));
    }
  }
  return out;
}

interface StatsRequest {
  id: string;
  protocol: string;
  transport: string;
  startMs: number;
  ttftMs: number | null;
  tokensPerSecond: number | null;
  outputTokens: number | null;
  status: string;
  network: { reused: boolean; socket: string | null; setupMs: number; uploadMs: number; serverMs: number; bytesUp: number; resentBytes: number } | null;
}

const within = (actual: number | null, truth: number, tol: number) => actual !== null && Math.abs(actual - truth) / truth <= tol;

describe('real harnesses through lapse record', () => {
  for (const c of CASES) {
    const installed = existsSync(binOf(c));
    it.skipIf(!installed && process.env.CI !== 'true')(`${c.name}: completes, writes ${HELLO_FILE} and runs it, ${c.protocol} over ${c.transport}, figures match the endpoint, no key on disk`, { timeout: 900_000, retry: 1 }, async () => {
      expect(installed, `${binOf(c)} is missing: .ci/run installs the harness CLIs into ${HARNESS_DIR}`).toBe(true);
      const model = await startModelServer({ ttftMs: TTFT_MS, tokensPerSecond: TPS, jitter: 0, seed: 11 });
      // a retry starts afresh: recordHarness makes new HOME, work and trace folders on each call
      const { rec, trace, work, home, traces } = await recordHarness(c, join(scratch, c.name), model.url).finally(() => model.close());
      const detail = `${c.name} exited ${rec.code}\nstdout: ${rec.stdout.slice(-1500)}\nstderr: ${rec.stderr.slice(-2500)}`;
      expect(rec.code, detail).toBe(0);
      expect(rec.stderr, detail).not.toMatch(/no model request came through lapse/);

      // a file written with its own tool, a command run with its shell
      expect(readFileSync(join(work, HELLO_FILE), 'utf8')).toContain(`console.log('${HELLO_OUTPUT}')`);
      const results = toolResults(trace);
      expect(results.some((t) => t.includes(HELLO_OUTPUT) && !t.includes('console.log')), `tool results: ${JSON.stringify(results).slice(0, 1500)}`).toBe(true);

      const st = await run(process.execPath, [LAPSE, 'stats', trace, '--json'], { cwd: work, env: { PATH: process.env.PATH, HOME: home, LAPSE_HOME: traces }, timeoutMs: 60_000 });
      expect(st.code, st.stderr).toBe(0);
      const stats = JSON.parse(st.stdout) as { requests: StatsRequest[] };
      const log = model.stats().log;
      const generated = (e: RequestLogEntry) => e.stream && e.outputTokens > 0 && e.status === 'complete' && e.firstContentAt !== null && e.endedAt !== null;
      const sent = log.filter(generated);
      const streamed = stats.requests.filter((r) => r.status === 'complete' && (r.outputTokens ?? 0) > 0 && r.tokensPerSecond !== null);
      expect(sent.length, `endpoint log: ${JSON.stringify(log.map((e) => [e.path, e.protocol, e.stream, e.outputTokens, e.status]))}`).toBeGreaterThanOrEqual(3);
      expect(stats.requests.every((r) => r.protocol === c.protocol && r.transport === c.transport), JSON.stringify(stats.requests.map((r) => [r.id, r.protocol, r.transport]))).toBe(true);
      expect(streamed).toHaveLength(sent.length);

      // Pair the proxy's view with the endpoint's by order of arrival among requests of the same
      // length (a side request running beside the main loop may arrive a moment earlier or later).
      const used = new Set<RequestLogEntry>();
      const figures = streamed
        .sort((a, b) => a.startMs - b.startMs)
        .map((r) => {
          const e = sent.find((x) => !used.has(x) && x.outputTokens === r.outputTokens);
          expect(e, `no endpoint entry with ${r.outputTokens} tokens for ${r.id}`).toBeDefined();
          used.add(e!);
          const ttft = e!.firstContentAt! - e!.arrivedAt;
          const tps = e!.outputTokens / ((e!.endedAt! - e!.firstContentAt!) / 1000);
          return { id: r.id, ttft: [r.ttftMs, +ttft.toFixed(1)], tps: [r.tokensPerSecond, +tps.toFixed(1)], tokens: r.outputTokens, net: r.network, startMs: r.startMs };
        });
      // LAPSE_HARNESS_FIGURES=FILE: each run's figures, one JSON line per harness (to see how close they are)
      if (process.env.LAPSE_HARNESS_FIGURES) appendFileSync(process.env.LAPSE_HARNESS_FIGURES, `${JSON.stringify({ harness: c.name, figures })}\n`);
      for (const f of figures) {
        expect(within(f.ttft[0], f.ttft[1]!, 0.05), `TTFT ${JSON.stringify(figures)}`).toBe(true);
        // a handful of tokens is a stream of a few intervals: the rate is checked where it means something
        if ((f.tokens ?? 0) >= 30) expect(within(f.tps[0], f.tps[1]!, 0.05), `tokens/s ${JSON.stringify(figures)}`).toBe(true);
      }

      // The wire: every request has its round trip, whose parts add up to its wait; a harness that
      // re-sends its conversation over HTTP re-sends bytes; a WebSocket's turns ride its one connection.
      // simulate --profile websocket says what it saves.
      for (const r of stats.requests) {
        expect(r.network, r.id).not.toBeNull();
        if (r.ttftMs !== null) expect(r.network!.setupMs + r.network!.uploadMs + r.network!.serverMs).toBeCloseTo(r.ttftMs, 2);
      }
      if (c.transport === 'http') expect(stats.requests.some((r) => r.network!.resentBytes > 0), JSON.stringify(stats.requests.map((r) => [r.id, r.network]))).toBe(true);
      else expect(stats.requests.every((r) => r.network!.socket !== null && r.network!.setupMs === 0)).toBe(true);
      const ws = await run(process.execPath, [LAPSE, 'simulate', trace, '--profile', 'websocket'], { cwd: work, env: { PATH: process.env.PATH, HOME: home, LAPSE_HOME: traces, NO_COLOR: '1' }, timeoutMs: 60_000 });
      expect(ws.code, ws.stderr).toBe(0);
      expect(ws.stdout).toMatch(c.transport === 'http' ? /What WebSocket mode would save this session: .*\n.*connection setup/ : /What WebSocket mode would save this session: [\s\S]*(All \d+|\d+ of \d+) responses already came over a WebSocket: they keep their recorded times/);

      // the key went to the endpoint (so it was used) but never into the trace
      for (const f of readdirSync(traces)) {
        const bytes = readFileSync(join(traces, f));
        expect(bytes.includes(Buffer.from(c.key)), f).toBe(false);
        expect(bytes.includes(Buffer.from(c.key.slice(-16))), f).toBe(false);
      }
    });
  }
});

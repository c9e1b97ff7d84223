// The analysis of real recordings: `lapse demo` records the scripted agent through the real proxy
// against the scripted endpoint (TTFT 300 ms, 100 tok/s); `lapse stats --json`
// must find the structure the agent produced and figures consistent with the pacing. Timing is
// checked for sanity only (a busy machine makes things slower, never faster).
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = new URL('../../', import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'lapse-analysis-demo-'));

function lapse(args: string[]) {
  const r = spawnSync(process.execPath, ['bin/lapse.js', ...args], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, LAPSE_HOME: dir, NO_COLOR: '1' }, timeout: 120_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const median = (xs: number[]): number => {
  const s = xs.slice().sort((a, b) => a - b);
  return s[Math.floor((s.length - 1) / 2)];
};

interface StatsRequest {
  id: string;
  transport: string;
  ttftMs: number | null;
  tokensPerSecond: number | null;
  outputTokens: number | null;
  toolCalls: string[];
  status: string;
  critical: boolean;
  stopReason: string | null;
}

describe('analysis of recorded demo sessions', () => {
  // HTTP SSE and the WebSocket; the other two protocols' decoders are covered on wire fixtures.
  for (const protocol of ['anthropic', 'openai-ws']) {
    it(`${protocol}: requests, tool calls, critical path and pacing`, () => {
      const file = join(dir, `${protocol}.lapse`);
      const rec = lapse(['demo', '--protocol', protocol, '--think-ms', '300', '--test-ms', '300', '-o', file]);
      expect(rec.code, `lapse demo exited ${rec.code}: ${rec.stderr}`).toBe(0);
      const r = lapse(['stats', file, '--json']);
      expect(r.code, r.stderr).toBe(0);
      const j = JSON.parse(r.stdout) as { durationMs: number; requests: StatsRequest[]; breakdown: Record<string, number>; files: Array<{ path: string }> };
      const b = j.breakdown;
      expect(b.modelWaitMs + b.modelStreamMs + b.toolMs + b.userMs + b.harnessMs).toBeCloseTo(j.durationMs, 2);
      const critical = j.requests.filter((x) => x.critical);
      // The agent's loop: six main requests (two turns), tools in four of them; the title request is on the side.
      expect(critical).toHaveLength(6);
      expect(critical.flatMap((x) => x.toolCalls)).toEqual(['read_file', 'read_file', 'edit_file', 'run_command', 'write_file']);
      expect(critical.every((x) => x.status === 'complete')).toBe(true);
      expect(j.requests.some((x) => !x.critical)).toBe(true);
      if (protocol === 'openai-ws') expect(critical.every((x) => x.transport === 'websocket')).toBe(true);
      // The endpoint waits 300 ms before the first token and paces 100 tok/s: never faster than that.
      const ttft = median(critical.map((x) => x.ttftMs!));
      const tps = median(critical.map((x) => x.tokensPerSecond!));
      expect(ttft).toBeGreaterThanOrEqual(300 * 0.95);
      expect(tps).toBeLessThanOrEqual(100 * 1.1);
      expect(tps).toBeGreaterThan(20);
      expect(b.toolMs).toBeGreaterThan(0);
      expect(b.userMs).toBeGreaterThanOrEqual(300 * 0.95);
      expect(j.files.map((f) => f.path).sort()).toEqual(['CHANGELOG.md', 'src/math.js']);
      console.log(`${protocol}: median TTFT ${ttft.toFixed(0)} ms, median ${tps.toFixed(1)} tok/s, ${(j.durationMs / 1000).toFixed(1)} s`);
    }, 150_000);
  }
});

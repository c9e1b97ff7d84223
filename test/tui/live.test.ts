// `lapse tui` following a session while it is recorded: the scripted agent (10 requests) recorded by
// the real `lapse record` against the built-in endpoint, the TUI started in tmux as soon as the trace
// file exists. Each request must show up as ended on the screen soon after the endpoint's own log says
// it ended; at the end the screen's totals are `lapse stats`'.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { fmtDur } from '../../cli/tui/text.js';
import { hasTmux, Tmux } from '../tmux.js';
import { checkLatencies, LIVE_REQUESTS, startLiveSession } from '../live-latency.js';

const run = hasTmux || process.env.CI === 'true';
const ROOT = new URL('../../', import.meta.url).pathname;
const BIN = join(ROOT, 'bin/lapse.js');

/** Ids of the requests the list shows as ended (mark • or ◦, or ✗ for a failure; … is still streaming). */
function endedIds(screen: string): string[] {
  const out: string[] = [];
  for (const l of screen.split('\n')) {
    const m = /^[ ▶]([•◦✗]) *(r\d+) /.exec(l);
    if (m) out.push(m[2]);
  }
  return out;
}

describe.skipIf(!run)('lapse tui on a trace being recorded', () => {
  const t = new Tmux();
  let dir: string;
  afterAll(() => {
    t.kill();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('follows the recording: each request appears soon after it ended, the end is said, the totals are lapse stats\'', async () => {
    dir = mkdtempSync(join(tmpdir(), 'lapse-tui-live-'));
    const trace = join(dir, 'live.lapse');
    const live = await startLiveSession({ workspace: join(dir, 'ws'), recordArgs: ['-o', trace, '--quiet'], ttftMs: 250, seed: 3, thinkMs: 900, testMs: 400 });
    try {
      for (let i = 0; i < 200 && !existsSync(trace); i++) await new Promise((r) => setTimeout(r, 25));
      t.start(140, 50);
      t.type(`node ${BIN} tui ${trace}; echo "EXIT=$?"`);
      await t.waitFor((s) => s.includes('● live, following'), 'the live status', 20_000, 50);
      // seeking back stops following; f follows again
      t.keys('Left');
      await t.waitFor((s) => s.includes('● live (f: follow)'), 'following off', 10_000, 25);
      t.keys('f');
      await t.waitFor((s) => s.includes('● live, following'), 'following on', 10_000, 25);
      const readyAt = Date.now();

      // Watch the screen: when each request is first shown as ended.
      const seen = new Map<string, number>();
      let screen = '';
      const deadline = Date.now() + 60_000;
      while (Date.now() < deadline) {
        // not t.screen(): a blocking capture would stall this process, and the endpoint runs in it
        screen = await t.screenAsync();
        const now = Date.now();
        for (const id of endedIds(screen)) if (!seen.has(id)) seen.set(id, now);
        if (screen.includes('recording ended')) break;
        await new Promise((r) => setTimeout(r, 25));
      }
      const exited = await live.exited;
      expect(exited.code, exited.stderr).toBe(0);
      expect(screen).toContain('recording ended');

      const st = spawn(process.execPath, [BIN, 'stats', trace, '--json'], { stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      st.stdout!.on('data', (d) => (out += String(d)));
      await new Promise((r) => st.on('exit', r));
      const stats = JSON.parse(out) as { durationMs: number; requests: Array<{ id: string; startMs: number }>; breakdown: { modelWaitMs: number; toolMs: number } };
      expect(stats.requests.length).toBe(10);
      const ends = live.ends();
      expect(ends.length).toBe(LIVE_REQUESTS);
      checkLatencies('live tui (tmux)', stats.requests.map((r, i) => ({ id: r.id, endedAt: ends[i], shownAt: seen.get(r.id), timed: ends[i] > readyAt })));
      // the final screen: the totals of lapse stats
      expect(screen).toContain(`total ${fmtDur(stats.durationMs)}`);
      expect(screen).toContain(`wait ${fmtDur(stats.breakdown.modelWaitMs)}`);
      expect(screen).toContain(`tool ${fmtDur(stats.breakdown.toolMs)}`);
      expect(screen).toContain('requests (10)');
      t.keys('q');
      await t.waitFor((s) => s.includes('EXIT=0'), 'the exit');
    } finally {
      await live.close();
    }
  }, 120_000);
});

// `lapse record` on a terminal: the harness (the scripted agent in --interactive mode) runs in a
// pseudo-terminal that lapse relays. tmux is the person's terminal; the scripted model endpoint runs
// in this process. Needs the compiled CLI (npm run build).
import { readFileSync, mkdtempSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
// the format's index: it brings the Brotli decoder a compacted trace needs
import { readTrace } from '../../format/index.js';
import { analyseTrace } from '../../analysis/session.js';
import { statsJson } from '../../analysis/json.js';
import type { TermInputRecord, TraceRecord } from '../../format/types.js';
import { startModelServer, type ModelServer } from '../../cli/model/server.js';
import { KeyReader } from '../../cli/record/pty/keys.js';
import { hasTmux, Tmux } from '../tmux.js';

const run = hasTmux || process.env.CI === 'true';
const ROOT = new URL('../../', import.meta.url).pathname;
const BIN = join(ROOT, 'bin/lapse.js');
const AGENT = join(ROOT, 'dist/cli/agent/main.js');
const enc = (s: string) => new TextEncoder().encode(s);

describe('key classes read from the terminal', () => {
  it('counts runs of one class, never keeps the text unless asked', () => {
    const k = new KeyReader(false);
    expect(k.read(enc('hello\r'))).toEqual([
      { key: 'printable', count: 5 },
      { key: 'enter', count: 1 },
    ]);
    expect(k.read(enc('\x1b[A\x1b[B\x7f\x03é'))).toEqual([
      { key: 'control', count: 4 },
      { key: 'printable', count: 1 },
    ]);
  });

  it('reads a bracketed paste as one key with its length, across reads', () => {
    const k = new KeyReader(true);
    expect(k.read(enc('a\x1b[200~line one\nli'))).toEqual([{ key: 'printable', count: 1, text: 'a' }]);
    expect(k.read(enc('ne two\x1b[201~\r'))).toEqual([
      { key: 'paste', count: 1, length: 17, text: 'line one\nline two' },
      { key: 'enter', count: 1, text: '\r' },
    ]);
  });

  it("ignores the terminal's own replies (cursor position, device attributes, focus, colours, mouse)", () => {
    const k = new KeyReader(false);
    expect(k.read(enc('\x1b[12;40R\x1b[?62;22c\x1b[I\x1b[O\x1b]11;rgb:0000/0000/0000\x07\x1b[<0;10;5M\x1b[M !!'))).toEqual([]);
    // an escape sequence cut between two reads is finished by the next
    expect(k.read(enc('x\x1b['))).toEqual([{ key: 'printable', count: 1 }]);
    expect(k.read(enc('Cy'))).toEqual([
      { key: 'control', count: 1 },
      { key: 'printable', count: 1 },
    ]);
  });
});

describe.skipIf(!run)('lapse record on a terminal (tmux)', () => {
  let dir: string;
  let model: ModelServer;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'lapse-pty-'));
    model = await startModelServer({ ttftMs: 150, tokensPerSecond: 400 });
  });
  afterAll(async () => {
    await model.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const agentCmd = (ws: string) => `node ${AGENT} --interactive --protocol anthropic --workspace ${ws} --test-ms 300`;
  const recordCmd = (trace: string, ws: string, extra = '') => `node ${BIN} record -q -o ${trace} --no-watch ${extra} --anthropic-upstream ${model.url} -- ${agentCmd(ws)}`;
  /** The screen from the agent's banner on (the shell's command line above it differs). */
  const fromBanner = (s: string) => s.slice(s.indexOf('lapse agent, interactive')).trimEnd();
  const answered = (n: number) => (s: string) => (s.match(/^model: (All tests pass|Done|Nothing else)/gm) ?? []).length >= n && s.trimEnd().endsWith('>');

  async function session(t: Tmux, command: string): Promise<{ screen: string; sizeLine: string; exit: string }> {
    t.type(`clear; ${command}; echo "exit=$?"`);
    await t.waitFor((s) => /^> ?$/m.test(s), 'the prompt');
    t.type('fix the failing test');
    await t.waitFor(answered(1), 'the first answer', 30_000);
    const screen = fromBanner(t.screen());
    t.resize(90, 28);
    const sized = await t.waitFor((s) => s.includes('(terminal resized to 90×28)'), 'the resize to reach the agent');
    const sizeLine = sized.split('\n').find((l) => l.includes('resized'))!;
    t.keys('C-c');
    await t.waitFor((s) => s.includes('press Ctrl-C again'), 'the first Ctrl-C');
    t.keys('C-c');
    const end = await t.waitFor((s) => /exit=\d+/.test(s), 'the exit');
    t.resize(100, 30);
    return { screen, sizeLine, exit: /exit=(\d+)/.exec(end)![1] };
  }

  it('relays the harness unchanged: same screen, resizes, Ctrl-C twice, exit code; the trace holds its terminal', async () => {
    const t = new Tmux();
    try {
      t.start(100, 30);
      const plain = await session(t, agentCmd(join(dir, 'ws-plain')).replace('node ', `ANTHROPIC_BASE_URL=${model.url} node `));
      const trace = join(dir, 'pty.lapse');
      const viaLapse = await session(t, recordCmd(trace, join(dir, 'ws-lapse')));
      expect(viaLapse.screen).toBe(plain.screen);
      expect(viaLapse.sizeLine).toBe(plain.sizeLine);
      expect(plain.exit).toBe('130');
      expect(viaLapse.exit).toBe('130');

      const { records } = readTrace(readFileSync(trace));
      const session0 = records[0];
      expect(session0.kind === 'session' && session0.interactive).toBe(true);
      const sizes = records.filter((r) => r.kind === 'term-resize').map((r) => r.kind === 'term-resize' && [r.cols, r.rows]);
      expect(sizes[0]).toEqual([100, 30]);
      expect(sizes).toContainEqual([90, 28]);
      const drawn = records
        .filter((r) => r.kind === 'term-output')
        .map((r) => (r.kind === 'term-output' && r.data.enc === 'text' ? r.data.text : ''))
        .join('');
      expect(drawn).toContain('All tests pass now');
      expect(drawn).toContain('(terminal resized to 90×28)');
      const keys = records.filter((r): r is TermInputRecord => r.kind === 'term-input');
      expect(keys.filter((k) => k.key === 'printable').reduce((n, k) => n + k.count, 0)).toBe('fix the failing test'.length);
      expect(keys.filter((k) => k.key === 'enter')).toHaveLength(1);
      expect(keys.filter((k) => k.key === 'control')).toHaveLength(2); // the two Ctrl-C
      expect(keys.every((k) => k.text === undefined)).toBe(true);
      expect(JSON.stringify(records.filter((r) => r.kind.startsWith('term-input')))).not.toContain('fix');
      const exit = records.find((r) => r.kind === 'process-exit');
      expect(exit?.kind === 'process-exit' && exit.code).toBe(130);
    } finally {
      t.kill();
    }
  }, 120_000);

  it('measures scripted pauses as user time (reading, typing) and leaves the harness its start-up and submit latency', async () => {
    const t = new Tmux();
    const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));
    // The test sees the prompt only when it polls the screen: the harness drew it between the last
    // poll that did not show it and the one that did. So the reading it paused is known to lie in
    // [first key − seen, first key − last miss].
    let readingMin = 0;
    let readingMax = 0;
    let typing = 0;
    /** Waits until the screen shows `ready`, reads for `readMs`, then types `line` key by key and presses Enter. */
    const turn = async (ready: (s: string) => boolean, readMs: number, line: string): Promise<void> => {
      let missed = Date.now();
      const end = Date.now() + 30_000;
      while (!ready(t.screen())) {
        if (Date.now() > end) throw new Error(`the harness never waited for input:\n${t.screen()}`);
        missed = Date.now();
        await pause(10);
      }
      const seen = Date.now();
      await pause(readMs);
      const first = Date.now();
      for (const ch of line) {
        t.keys('-l', ch);
        await pause(40);
      }
      const enter = Date.now();
      t.keys('Enter');
      readingMin += first - seen;
      readingMax += first - missed;
      typing += enter - first;
    };
    try {
      t.start(120, 40);
      const trace = join(dir, 'pauses.lapse');
      t.type(`clear; ${recordCmd(trace, join(dir, 'ws-pauses'))}; echo "exit=$?"`);
      const launched = Date.now();
      await turn((s) => /^> ?$/m.test(s), 2500, 'fix the failing test');
      const promptSeenMs = Date.now() - launched;
      await turn(answered(1), 3000, 'add a changelog entry');
      await turn((s) => /^model: Done/m.test(s) && s.trimEnd().endsWith('>'), 2500, '/exit');
      await t.waitFor((s) => /exit=0/.test(s), 'the exit');

      const model = analyseTrace(readTrace(readFileSync(trace)));
      const stats = statsJson(model);
      expect(stats.userDetail).not.toBeNull();
      const { readingMs, typingMs } = stats.userDetail!;
      expect(readingMs).toBeGreaterThanOrEqual(0.9 * readingMin);
      expect(readingMs).toBeLessThanOrEqual(1.1 * readingMax);
      expect(Math.abs(typingMs - typing)).toBeLessThanOrEqual(0.1 * typing);
      expect(stats.breakdown.userMs).toBeCloseTo(readingMs + typingMs, 3);
      // harness time: the agent's start-up before its first prompt, then per turn only drawing and
      // Enter → request; none of the pauses
      const seg = model.criticalPath;
      const firstRequest = model.requests.find((r) => r.critical)!;
      const leadIn = seg.filter((s) => s.endMs <= firstRequest.startMs && s.kind === 'harness');
      expect(leadIn[0].startMs).toBe(0);
      expect(leadIn[0].endMs).toBeLessThan(promptSeenMs + 500);
      const gapHarness = seg.filter((s) => s.kind === 'harness' && s.startMs > firstRequest.startMs && s.endMs < model.requests[model.requests.length - 1].endMs);
      for (const s of gapHarness) expect(s.endMs - s.startMs).toBeLessThan(500);
      expect(stats.breakdown.harnessMs).toBeLessThan(model.durationMs - readingMs - typingMs);
    } finally {
      t.kill();
    }
  }, 120_000);

  it('keeps the typed text with --record-input; pipes and --no-pty keep direct stdio and no terminal records', async () => {
    const t = new Tmux();
    try {
      t.start(100, 30);
      const withInput = join(dir, 'input.lapse');
      t.type(`clear; ${recordCmd(withInput, join(dir, 'ws-in'), '--record-input')}; echo one-done`);
      await t.waitFor((s) => /^> ?$/m.test(s), 'the prompt');
      t.type('/exit');
      await t.waitFor((s) => s.includes('one-done'), 'the first run');
      const noPty = join(dir, 'nopty.lapse');
      t.type(`clear; ${recordCmd(noPty, join(dir, 'ws-np'), '--no-pty')}; echo two-done`);
      await t.waitFor((s) => /^> ?$/m.test(s), 'the prompt');
      t.type('/exit');
      await t.waitFor((s) => s.includes('two-done'), 'the second run');
      const piped = join(dir, 'piped.lapse');
      t.type(`echo /exit | ${recordCmd(piped, join(dir, 'ws-pipe'))} | cat; echo piped-done`);
      await t.waitFor((s) => s.includes('piped-done') && existsSync(piped), 'the piped run');
      const closed = (p: string): boolean => {
        try {
          return readTrace(readFileSync(p)).truncated === false;
        } catch {
          return false; // not written yet
        }
      };
      await t.waitFor(() => closed(noPty) && closed(piped), 'the traces to close');

      const typed = readTrace(readFileSync(withInput)).records.filter((r): r is TermInputRecord => r.kind === 'term-input');
      expect(typed.map((k) => k.text).join('')).toBe('/exit\r');
      const kinds = (p: string) => new Set(readTrace(readFileSync(p)).records.map((r: TraceRecord) => r.kind));
      for (const p of [noPty, piped]) {
        const k = kinds(p);
        expect(k.has('process-exit')).toBe(true);
        expect([...k].filter((x) => x.startsWith('term-'))).toEqual([]);
      }
      const s = (p: string) => readTrace(readFileSync(p)).records[0];
      expect(s(noPty).kind === 'session' && s(noPty).interactive).toBe(true);
      expect(s(piped).kind === 'session' && s(piped).interactive).toBe(false);
    } finally {
      t.kill();
    }
  }, 120_000);

  it('Ctrl-Z suspends the harness and lapse to the shell; fg brings both back', async () => {
    const t = new Tmux();
    try {
      t.start(100, 30);
      t.type(`clear; ${recordCmd(join(dir, 'suspend.lapse'), join(dir, 'ws-z'))}`);
      await t.waitFor((s) => /^> ?$/m.test(s), 'the prompt');
      t.keys('C-z');
      await t.waitFor((s) => /Stopped\s+node /.test(s) && s.trimEnd().endsWith('$'), 'the shell to report the stopped job');
      t.type('fg');
      await t.waitFor((s) => !s.trimEnd().endsWith('$'), 'the job in the foreground');
      t.type('/exit');
      await t.waitFor((s) => s.includes('agent: 0 requests') && s.trimEnd().endsWith('$'), 'the agent to quit');
      t.type('echo "exit=$?"');
      const end = await t.waitFor((s) => /exit=\d+/.test(s), 'the exit');
      expect(/exit=(\d+)/.exec(end)![1]).toBe('0');
    } finally {
      t.kill();
    }
  }, 60_000);

  it('kill -9 of lapse: the harness gets the hang-up and does not run on', async () => {
    const t = new Tmux();
    try {
      t.start(100, 30);
      const trace = join(dir, 'killed.lapse');
      t.type(`clear; ${recordCmd(trace, join(dir, 'ws-kill'))}; echo "exit=$?"`);
      await t.waitFor((s) => /^> ?$/m.test(s), 'the prompt');
      const shell = Number(t.display('#{pane_pid}'));
      const lapse = childrenOf(shell)[0];
      const agent = childrenOf(lapse).find((p) => readFileSync(`/proc/${p}/cmdline`, 'latin1').includes('agent/main.js'));
      expect(agent).toBeGreaterThan(0);
      process.kill(lapse, 'SIGKILL');
      await t.waitFor((s) => /exit=137/.test(s), 'the shell to see lapse killed');
      const end = Date.now() + 5000;
      while (Date.now() < end && running(agent!)) await new Promise((r) => setTimeout(r, 50));
      expect(running(agent!)).toBe(false);
      expect(readTrace(readFileSync(trace)).truncated).toBe(true);
    } finally {
      t.kill();
    }
  }, 60_000);
});

function childrenOf(pid: number): number[] {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'latin1').trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

/** Alive and not a zombie waiting to be reaped. */
function running(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
}

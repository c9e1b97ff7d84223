// Real interactive Claude Code (the TUI) under tmux, once on its own and once through `lapse record`,
// both against the built-in endpoint, with scripted pauses: the person waits before typing the
// prompt, types it key by key, reads the answer, resizes the window, quits with Ctrl-C twice.
// - the pauses come back as user time (reading, typing): within 10 % of what the trace shows between
//   the screen the person saw settle and their keys (under load tmux may deliver a key 300 ms late:
//   the harness did wait that long), and never less than the scripted reading;
// - the harness keeps only its own start-up (until its prompt) and submit latency / drawing;
// - `tmux capture-pane` shows the same screen with and without lapse, after normalising what
//   differs from run to run by itself: the clock time and the durations Claude Code prints ("done
//   4:10 AM", "Thought for 1s", the "✻ <random verb> for 3s" line) and the start-up hints it shows
//   for its first ~10 s after launch ("◐ medium · /effort", "· ← for agents");
// - the resize reaches Claude Code (it redraws at the new width) and is in the trace;
// - Ctrl-C twice quits it as without lapse: the same "again to exit" screen, the same exit code.
// Claude Code's first-run dialogs are pre-seeded in a fresh HOME (onboarding done, the API key
// approved, the folder trusted). Skipped without tmux or the CLI (`.ci/run` installs it); fails under CI=true.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { analyseTrace } from '../../analysis/session.js';
import { QUIET_MS } from '../../analysis/terminal.js';
import { statsJson } from '../../analysis/json.js';
import { HELLO_FILE } from '../../cli/model/harness-script.js';
import { startModelServer } from '../../cli/model/server.js';
// the format's index: it brings the Brotli decoder a compacted trace needs
import { readTrace } from '../../format/index.js';
import { hasTmux, Tmux } from '../tmux.js';
import { CASES, HARNESS_DIR, PROMPT, ROOT } from './harnesses.js';

const CLAUDE = CASES.find((c) => c.name === 'claude')!;
const BIN = join(HARNESS_DIR, 'node_modules', '.bin', 'claude');
const LAPSE = join(ROOT, 'bin', 'lapse.js');
const installed = existsSync(BIN) && hasTmux;
const scratch = mkdtempSync(join(tmpdir(), 'lapse-claude-tui-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));
let attempt = 0; // a retry gets fresh homes
const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The first-run state Claude Code's TUI asks about, answered: onboarding, the API key, the folder's trust. */
function seedHome(home: string, work: string): void {
  mkdirSync(home, { recursive: true });
  const config = {
    hasCompletedOnboarding: true,
    customApiKeyResponses: { approved: [CLAUDE.key.slice(-20)], rejected: [] },
    projects: { [work]: { hasTrustDialogAccepted: true, hasCompletedProjectOnboarding: true } },
  };
  writeFileSync(join(home, '.claude.json'), JSON.stringify(config));
}

/** What differs between two runs of Claude Code by itself (clock time, durations, the random verb). */
function normalise(screen: string): string {
  return screen
    .split('\n')
    .map((l) => l.replace(/\s+$/, ''))
    .map((l) => (/^✻ /.test(l) ? '✻ (turn summary)' : l))
    .map((l) => l.replace(/\b\d{1,2}:\d{2}\s?[AP]M\b/g, 'H:MM').replace(/\bfor \d+(\.\d+)?s\b/g, 'for Ns'))
    // start-up hints it shows for its first ~10 s (a timer from its launch, which lapse shifts a little)
    .map((l) => (/^\s*◐ \w+ · \/effort$/.test(l) ? '' : l.replace(/ · ← for agents$/, '')))
    .join('\n')
    .trimEnd();
}

/** Its input box is drawn, empty (between two rules), so the person can type. */
const promptReady = (s: string) => /^─+\n❯\s*\n─+$/m.test(s);
/** The footer it draws once idle; the screen is compared only then. */
const idle = (s: string) => promptReady(s) && s.includes('for shortcuts');
/** The last answer's text is on the screen (the person can read it; Claude Code redraws its footer later). */
const answerShown = (s: string) => s.includes('Nothing else in the project');
const RULE = (cols: number) => (s: string) => s.split('\n').some((l) => l === '─'.repeat(cols));

interface Run {
  screen: string;
  againScreen: string;
  exit: string;
  readingMin: number;
  readingMax: number;
  typing: number;
  promptSeenMs: number;
  /** Wall-clock times (Date.now()): the prompt and the answer seen settled, the keys that start and end each action sent. */
  marks: { promptSeen: number; first: number; enter: number; answerSeen: number; c1: number; c2: number };
}

/** One scripted session in a fresh tmux; `command` starts Claude Code (directly or through lapse). */
async function session(command: string): Promise<Run> {
  const t = new Tmux();
  let readingMin = 0;
  let readingMax = 0;
  let typing = 0;
  /**
   * Polls until `ready` holds and the screen has not changed for QUIET_MS (the harness has finished
   * drawing, as lapse defines it). The last change happened between `missed` (the last poll that
   * showed the screen before it) and `seen` (the first that showed the final screen).
   */
  const settled = async (ready: (s: string) => boolean, what: string): Promise<{ seen: number; missed: number }> => {
    let { seen, missed } = await until(ready, what);
    let screen = t.screen();
    const end = Date.now() + 120_000;
    while (Date.now() - seen < QUIET_MS) {
      if (Date.now() > end) throw new Error(`the screen never settled after ${what}:\n${t.screen()}`);
      await pause(10);
      const before = Date.now();
      const next = t.screen();
      if (next !== screen) {
        missed = before;
        seen = Date.now();
        screen = next;
      }
    }
    return { seen, missed };
  };
  /** Polls until `ready`; returns when it was seen and the last poll that did not see it. */
  const until = async (ready: (s: string) => boolean, what: string): Promise<{ seen: number; missed: number }> => {
    let missed = Date.now();
    const end = Date.now() + 120_000;
    while (!ready(t.screen())) {
      if (Date.now() > end) throw new Error(`timed out waiting for ${what}:\n${t.screen()}`);
      missed = Date.now();
      await pause(10);
    }
    return { seen: Date.now(), missed };
  };
  try {
    t.start(100, 30);
    t.type(`clear; ${command}; echo "exit=$?"`);
    const launched = Date.now();
    // lead-in: the prompt appears, the person waits 2.5 s, types the prompt key by key, Enter
    const p = await settled(promptReady, 'the prompt');
    const promptSeenMs = p.seen - launched;
    await pause(2500);
    const first = Date.now();
    for (const ch of PROMPT) {
      t.keys('-l', ch);
      await pause(40);
    }
    const enter = Date.now();
    t.keys('Enter');
    readingMin += first - p.seen;
    readingMax += first - p.missed;
    typing += enter - first;
    // the answer: read for 3 s (a resize meanwhile), then Ctrl-C twice
    const a = await settled(answerShown, 'the answer');
    // the screen once it has settled: the prompt back, the turn summary line last
    await until(idle, 'the prompt after the answer');
    let screen = t.screen();
    for (let same = 0; same < 5; ) {
      await pause(200);
      const next = t.screen();
      same = next === screen ? same + 1 : 0;
      screen = next;
    }
    const readUntil = a.seen + 3000;
    t.resize(90, 28);
    await until(RULE(90), 'Claude Code to redraw at 90 columns');
    await pause(Math.max(0, readUntil - Date.now()));
    const c1 = Date.now();
    t.keys('C-c');
    await until((s) => /Press Ctrl-C again to exit/.test(s), 'the first Ctrl-C');
    const againScreen = t.screen();
    const c2 = Date.now();
    t.keys('C-c');
    readingMin += c1 - a.seen;
    readingMax += c1 - a.missed;
    typing += c2 - c1;
    await until((s) => /exit=\d+/.test(s), 'the exit');
    const exit = /exit=(\d+)/.exec(t.screen())![1];
    return { screen, againScreen, exit, readingMin, readingMax, typing, promptSeenMs, marks: { promptSeen: p.seen, first, enter, answerSeen: a.seen, c1, c2 } };
  } finally {
    t.kill();
  }
}

describe('interactive Claude Code under tmux, with and without lapse', () => {
  // One retry, as for the other real-harness tests: a CLI competing for two busy cores can stall its
  // drawing for a second, which a whole run does not repeat.
  it.skipIf(!installed && process.env.CI !== 'true')('pauses come back as user time, the harness keeps its start-up and submit latency, the same screen, resize and Ctrl-C twice', { timeout: 600_000, retry: 1 }, async () => {
    expect(existsSync(BIN), `${BIN} is missing: .ci/run installs the harness CLIs into ${HARNESS_DIR}`).toBe(true);
    expect(hasTmux, 'tmux is missing').toBe(true);
    const work = join(scratch, 'work');
    const traces = mkdtempSync(join(scratch, 'traces-')); // per attempt: lapse never overwrites a trace
    const model = await startModelServer({ ttftMs: 300, tokensPerSecond: 100, jitter: 0, seed: 7 });
    const trace = join(traces, 'claude-tui.lapse');
    const args = '--permission-mode default --allowedTools Write,Bash';
    // Only what the harness needs; a dead HTTPS proxy for anything that still tries the internet.
    const envLine = (home: string) =>
      [
        'env -i',
        `PATH='${process.env.PATH}'`,
        `HOME='${home}'`,
        'TERM="$TERM"',
        'LANG=C.UTF-8',
        `LAPSE_HOME='${traces}'`,
        ...Object.entries(CLAUDE.env(home)).map(([k, v]) => `${k}='${v}'`),
        'HTTPS_PROXY=http://127.0.0.1:9',
      ].join(' ');
    let plain: Run;
    let viaLapse: Run;
    try {
      // the same working folder for both runs (Claude Code prints it), made afresh for each
      const fresh = (name: string): string => {
        name = `${name}-${++attempt}`;
        rmSync(work, { recursive: true, force: true });
        mkdirSync(work, { recursive: true });
        const home = join(scratch, name);
        seedHome(home, work);
        return home;
      };
      const h1 = fresh('home-plain');
      plain = await session(`cd '${work}' && ${envLine(h1)} ANTHROPIC_BASE_URL=${model.url} NO_PROXY=127.0.0.1,localhost '${BIN}' ${args}`);
      expect(existsSync(join(work, HELLO_FILE)), 'Claude Code wrote the file on its own').toBe(true);
      const h2 = fresh('home-lapse');
      viaLapse = await session(`cd '${work}' && ${envLine(h2)} '${process.execPath}' '${LAPSE}' record -q -o '${trace}' --anthropic-upstream ${model.url} -- '${BIN}' ${args}`);
      expect(existsSync(join(work, HELLO_FILE)), 'Claude Code wrote the file through lapse').toBe(true);
    } finally {
      await model.close();
    }

    // the same screens and the same way out
    expect(normalise(viaLapse.screen)).toBe(normalise(plain.screen));
    expect(normalise(viaLapse.againScreen)).toBe(normalise(plain.againScreen));
    expect(viaLapse.exit).toBe(plain.exit);

    if (process.env.LAPSE_KEEP_TRACE) writeFileSync(process.env.LAPSE_KEEP_TRACE, readFileSync(trace));
    const { records } = readTrace(readFileSync(trace));
    const first = records[0];
    expect(first.kind === 'session' && first.interactive).toBe(true);
    const sizes = records.flatMap((r) => (r.kind === 'term-resize' ? [[r.cols, r.rows]] : []));
    expect(sizes[0]).toEqual([100, 30]);
    expect(sizes).toContainEqual([90, 28]);

    const m = analyseTrace(readTrace(readFileSync(trace)));
    const stats = statsJson(m);
    expect(stats.userDetail).not.toBeNull();
    const { readingMs, typingMs } = stats.userDetail!;
    // What the trace shows of the script: the keys as they reached the harness, and what it had drawn
    // by the time the person (this test, through tmux) saw the screen settle.
    const startedAt = first.kind === 'session' ? first.startedAt : 0;
    const at = (wall: number) => wall - startedAt;
    const { keys, output } = m.terminal!;
    const drawnBy = (wall: number) => Math.max(...output.filter((o) => o.visible && o.tMs <= at(wall)).map((o) => o.tMs));
    const typed = keys.find((k) => k.key === 'printable')!.tMs;
    const entered = keys.find((k) => k.key === 'enter')!.tMs;
    const [quit1, quit2] = keys.filter((k) => k.key === 'control').map((k) => k.tMs);
    const mk = viaLapse.marks;
    const traced = { reading: typed - drawnBy(mk.promptSeen) + (quit1 - drawnBy(mk.answerSeen)), typing: entered - typed + (quit2 - quit1) };
    const late = { first: typed - at(mk.first), enter: entered - at(mk.enter), c1: quit1 - at(mk.c1), c2: quit2 - at(mk.c2) };
    const detail = JSON.stringify({ readingMs, typingMs, traced, late, readingMin: viaLapse.readingMin, readingMax: viaLapse.readingMax, typing: viaLapse.typing });
    // the two clocks agree: no key reached the harness before it was sent (Date.now() has whole ms)
    for (const ms of Object.values(late)) expect(ms, detail).toBeGreaterThan(-3);
    expect(readingMs, detail).toBeGreaterThanOrEqual(0.9 * viaLapse.readingMin);
    expect(Math.abs(readingMs - traced.reading), detail).toBeLessThanOrEqual(0.1 * traced.reading);
    expect(Math.abs(typingMs - traced.typing), detail).toBeLessThanOrEqual(0.1 * traced.typing);
    expect(stats.breakdown.userMs).toBeCloseTo(readingMs + typingMs, 3);

    // the harness's own time: start-up until its prompt (lapse's start included), then per turn only
    // drawing and Enter → request, and its shutdown after the second Ctrl-C; none of the pauses
    const seg = m.criticalPath;
    const firstRequest = m.requests.find((r) => r.critical)!;
    const leadIn = seg.filter((s) => s.endMs <= firstRequest.startMs && s.kind === 'harness');
    expect(leadIn[0].startMs).toBe(0);
    expect(leadIn[0].endMs).toBeLessThan(viaLapse.promptSeenMs + 500);
    const lastEnd = Math.max(...m.requests.map((r) => r.endMs));
    const between = seg.filter((s) => s.kind === 'harness' && s.startMs > firstRequest.startMs && s.endMs < lastEnd);
    for (const s of between) expect(s.endMs - s.startMs, JSON.stringify(between)).toBeLessThan(1500);
    expect(stats.breakdown.harnessMs).toBeLessThan(m.durationMs - readingMs - typingMs);

    // the key went to the endpoint but never into the trace
    for (const f of readdirSync(traces)) {
      const bytes = readFileSync(join(traces, f));
      expect(bytes.includes(Buffer.from(CLAUDE.key)), f).toBe(false);
      expect(bytes.includes(Buffer.from(CLAUDE.key.slice(-16))), f).toBe(false);
    }
  });
});

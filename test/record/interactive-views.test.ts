// `lapse demo` on a terminal (tmux): the demo types its scripted prompts into the agent's
// interactive mode through lapse's pseudo-terminal, then opens the TUI on its terminal pane. The trace
// it leaves is then read back by every terminal view: the TUI pane, the asciicast export (v3 checked
// field by field, v2 played by the installed asciinema), and the web viewer's terminal (seeking, and
// playing as simulated: the screen follows the simulated clock).
// Needs the compiled CLI and viewer (npm run build).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
// the format's index: it brings the Brotli decoder a compacted trace needs
import { readTrace } from '../../format/index.js';
import type { TermInputRecord } from '../../format/types.js';
import { analyseTrace } from '../../analysis/session.js';
import { PlayClock } from '../../analysis/playback.js';
import { PROFILES, simulate } from '../../analysis/simulate.js';
import { bodyText } from '../../format/body.js';
import { DEFAULT_PROMPTS } from '../../cli/agent/session.js';
import { hasTmux, Tmux } from '../tmux.js';
import { launch, skipBrowser, startView, watchErrors } from '../viewer/helpers.js';

const run = hasTmux || process.env.CI === 'true';
const hasAsciinema = spawnSync('asciinema', ['--version']).status === 0;
const ROOT = new URL('../../', import.meta.url).pathname;
const BIN = join(ROOT, 'bin/lapse.js');
const lapse = (args: string[]) => spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', timeout: 60_000 });

describe.skipIf(!run)('an interactive session through the pty: lapse demo, then every terminal view', () => {
  let dir: string;
  let trace: string;
  let t: Tmux;
  let tuiScreen = '';
  let tuiEnd = '';
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'lapse-iviews-'));
    trace = join(dir, 'demo.lapse');
    t = new Tmux();
    t.start(150, 40, { LAPSE_HOME: dir });
    t.type(`clear; node ${BIN} demo -o ${trace} --ttft 100 --tps 400 --think-ms 800 --test-ms 300`);
    // the demo types both prompts and /exit, then the TUI opens on the terminal pane
    tuiScreen = await t.waitFor((s) => /terminal 150×40 at/.test(s) && s.includes('t: request detail'), 'the TUI on its terminal pane', 90_000);
    t.keys('G');
    tuiEnd = await t.waitFor((s) => s.includes('> /exit') && s.includes('agent: '), 'the terminal pane at the end', 20_000);
    t.keys('q');
    await t.waitFor((s) => s.trimEnd().endsWith('$'), 'the shell');
  }, 150_000);
  afterAll(() => {
    t?.kill();
    rmSync(dir, { recursive: true, force: true });
  });

  it('lapse demo records the typed session through the pty, and the TUI opens on the terminal pane', () => {
    expect(tuiScreen).toContain('t terminal');
    expect(tuiEnd).toMatch(/All tests pass|Done: /);
    const { records } = readTrace(readFileSync(trace));
    const s = records[0];
    expect(s.kind === 'session' && s.interactive).toBe(true);
    const keys = records.filter((r): r is TermInputRecord => r.kind === 'term-input');
    const printable = keys.filter((k) => k.key === 'printable').reduce((n, k) => n + k.count, 0);
    expect(printable).toBe(DEFAULT_PROMPTS.join('').length + '/exit'.length);
    expect(keys.filter((k) => k.key === 'enter')).toHaveLength(3);
    const m = analyseTrace(readTrace(readFileSync(trace)));
    // the demo reads 800 ms (after 150 ms of quiet) before each of its three lines
    expect(m.userDetail!.readingMs).toBeGreaterThanOrEqual(3 * 800);
    expect(m.userDetail!.typingMs).toBeGreaterThan(0);
    expect(m.breakdown.userMs).toBeCloseTo(m.userDetail!.readingMs + m.userDetail!.typingMs, 3);
  });

  it('exports an asciicast v3: the terminal as drawn, a marker per request, the exit', () => {
    const out = join(dir, 'demo.cast');
    const r = lapse(['export', trace, '--format', 'asciicast', '-o', out]);
    expect(r.stderr).toContain('asciicast v3');
    expect(r.status).toBe(0);
    const lines = readFileSync(out, 'utf8').trimEnd().split('\n');
    const header = JSON.parse(lines[0]);
    expect(header).toMatchObject({ version: 3, term: { cols: 150, rows: 40 } });
    const events = lines.slice(1).map((l) => JSON.parse(l) as [number, string, string]);
    for (const [dt, code, data] of events) {
      expect(dt).toBeGreaterThanOrEqual(0);
      expect(['o', 'm', 'x', 'r', 'i']).toContain(code);
      expect(typeof data).toBe('string');
    }
    const m = analyseTrace(readTrace(readFileSync(trace)));
    expect(events.filter((e) => e[1] === 'm').map((e) => e[2].split(' ')[0])).toEqual(m.requests.map((q) => q.id));
    const drawn = events.filter((e) => e[1] === 'o').map((e) => e[2]).join('');
    expect(drawn).toContain('All tests pass');
    expect(events.filter((e) => e[1] === 'i')).toEqual([]); // not recorded with --record-input
    expect(events[events.length - 1]).toEqual([expect.any(Number), 'x', '0']);
    // intervals add up to the session clock
    const total = events.reduce((n, e) => n + e[0], 0);
    expect(total * 1000).toBeCloseTo(m.processes[0].endMs!, 0);
    const none = lapse(['export', join(ROOT, 'fixtures/traces/anthropic.lapse'), '--format', 'asciicast']);
    expect(none.status).toBe(2);
    expect(none.stderr.trim().split('\n')).toHaveLength(1);
    expect(none.stderr).toContain('no terminal records');
  });

  it.skipIf(!hasAsciinema && process.env.CI !== 'true')('asciicast v2 plays in the installed asciinema (2.x reads v1/v2 only)', async () => {
    const out = join(dir, 'demo-v2.cast');
    expect(lapse(['export', trace, '--format', 'asciicast', '--asciicast-version', '2', '-o', out]).status).toBe(0);
    expect(JSON.parse(readFileSync(out, 'utf8').split('\n')[0])).toMatchObject({ version: 2, width: 150, height: 40 });
    t.type(`clear; asciinema play -i 0.05 ${out}; echo played=$?`);
    const s = await t.waitFor((x) => /played=\d/.test(x), 'asciinema to finish', 60_000);
    expect(s).toContain('played=0');
    expect(s).toContain('agent: ');
  }, 90_000);

  describe.skipIf(skipBrowser)('the web viewer', () => {
    let browser: Browser;
    beforeAll(async () => {
      browser = await launch();
    });
    afterAll(async () => {
      await browser?.close();
    });

    it('shows the terminal at the playhead, following it back and forth', async () => {
      const view = await startView(trace);
      const page = await browser.newPage({ viewport: { width: 1500, height: 1100 } });
      const errors = watchErrors(page);
      try {
        await page.goto(view.url);
        await page.waitForSelector('body[data-state="ready"]', { timeout: 30_000 });
        expect(await page.isVisible('[data-testid="terminal"]')).toBe(true);
        const screenAt = async (origMs: number): Promise<string> => {
          await page.evaluate(async (ms) => {
            const c = window.__lapse!.current!;
            c.player.seekOrig(ms);
            await c.terminal!.settled();
            await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
          }, origMs);
          return (await page.textContent('[data-testid="terminal-screen"]')) ?? '';
        };
        const m = analyseTrace(readTrace(readFileSync(trace)));
        const firstAnswer = m.turns[0].endMs + 400;
        const end = await screenAt(m.durationMs);
        expect(end).toContain('> /exit');
        const mid = await screenAt(firstAnswer);
        expect(mid).toContain('All tests pass');
        expect(mid).not.toContain('> /exit');
        expect(await page.textContent('[data-testid="terminal-caption"]')).toMatch(/terminal 150×40 at/);
        const start = await screenAt(0);
        expect(start).not.toContain('All tests pass');
        expect(errors).toEqual([]);
      } finally {
        await page.close();
        await view.stop();
      }
    }, 60_000);

    it('playing as simulated, the terminal follows the simulated clock: the answer appears when the faster session draws it', async () => {
      const view = await startView(trace);
      const page = await browser.newPage({ viewport: { width: 1500, height: 1100 } });
      const errors = watchErrors(page);
      try {
        await page.goto(view.url);
        await page.waitForSelector('body[data-state="ready"]', { timeout: 30_000 });
        // the instant profile: model time vanishes, tools and the person's pauses stay
        await page.click('button[data-profile="instant"]');
        await page.selectOption('[data-testid="mode"]', 'simulated');
        // when the recorded session drew the first answer, and where the simulated one plays that moment
        const { records } = readTrace(readFileSync(trace));
        let drawn = '';
        const at = records.find((r) => r.kind === 'term-output' && r.data.enc === 'text' && (drawn += bodyText(r.data)).includes('All tests pass'));
        const drawnOrig = at!.t / 1000;
        const m = analyseTrace(readTrace(readFileSync(trace)));
        const clock = new PlayClock(m, simulate(m, PROFILES.instant), null);
        const drawnView = clock.toView(drawnOrig);
        expect(drawnView).toBeLessThan(drawnOrig - 500);
        // play from the start and watch each frame: the clock the page shows, and the screen
        const samples = await page.evaluate(
          () =>
            new Promise<Array<{ clock: string; shown: boolean }>>((resolve) => {
              const c = window.__lapse!.current!;
              c.player.seekOrig(0);
              const screen = document.querySelector('[data-testid="terminal-screen"]')!;
              const time = document.querySelector('[data-testid="clock"]')!;
              const out: Array<{ clock: string; shown: boolean }> = [];
              (document.querySelector('[data-testid="play"]') as HTMLButtonElement).click();
              const tick = (): void => {
                out.push({ clock: time.textContent ?? '', shown: (screen.textContent ?? '').includes('All tests pass') });
                if (c.player.isPlaying) requestAnimationFrame(tick);
                else resolve(out);
              };
              requestAnimationFrame(tick);
            }),
        );
        /** "m:ss.s / m:ss.s" (or one "m:ss.s") → the first clock in ms. */
        const viewMs = (text: string): number => {
          const [mm, ss] = text.split(' / ')[0].split(':');
          return (Number(mm) * 60 + Number(ss)) * 1000;
        };
        const first = samples.findIndex((x) => x.shown);
        expect(first, JSON.stringify(samples.slice(0, 5))).toBeGreaterThan(0);
        expect(samples.slice(first).every((x) => x.shown)).toBe(true);
        // the page's clock shows the simulated session's length, and the answer appears at its place
        // in it (the clock is shown to 0.1 s; drawing lags the playhead by a frame or two)
        const total = viewMs(samples[samples.length - 1].clock.split(' / ')[1]);
        expect(Math.abs(total - clock.durationMs)).toBeLessThanOrEqual(51);
        expect(viewMs(samples[first].clock)).toBeGreaterThanOrEqual(drawnView - 100);
        expect(viewMs(samples[first].clock)).toBeLessThanOrEqual(drawnView + 500);
        expect(viewMs(samples[first].clock)).toBeLessThan(drawnOrig - 300);
        expect(errors).toEqual([]);
      } finally {
        await page.close();
        await view.stop();
      }
    }, 90_000);
  });
});

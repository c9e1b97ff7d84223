// `lapse tui` driven in a real terminal: tmux (its own server socket, no user config) runs a shell,
// the test types the command and keys with send-keys and reads the screen with capture-pane.
// Needs the compiled CLI (npm run build).
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
// the format's index: it brings the Brotli decoder a compacted trace needs
import { readTrace } from '../../format/index.js';
import { analyseTrace } from '../../analysis/session.js';
import { PROFILES, simulate } from '../../analysis/simulate.js';
import { fmtDur } from '../../cli/tui/text.js';
import { syntheticRecords, syntheticTraceBytes, writeSyntheticTrace } from '../factory/agent-session.js';
import { hasTmux, PROMPT, Tmux } from '../tmux.js';

// Skipped on a machine without tmux; on CI (CI=true) a missing tmux fails the test instead.
const run = hasTmux || process.env.CI === 'true';
const ROOT = new URL('../../', import.meta.url).pathname;
const BIN = join(ROOT, 'bin/lapse.js');
const FIXTURE = join(ROOT, 'fixtures/traces/anthropic.lapse');
/** The playhead clock shown in the status row, in ms. */
function clockMs(screen: string): number {
  const m = /(\d+):(\d\d)\.(\d) \/ /.exec(screen);
  if (!m) throw new Error(`no clock on screen:\n${screen}`);
  return Number(m[1]) * 60_000 + Number(m[2]) * 1000 + Number(m[3]) * 100;
}

function markerCol(screen: string): number {
  const row = screen.split('\n').find((l) => l.includes('▼'));
  return row ? row.indexOf('▼') : -1;
}

function detailOf(screen: string): string {
  // Right of the list/detail separator.
  return screen
    .split('\n')
    .filter((l) => l.includes('│'))
    .map((l) => l.slice(l.indexOf('│') + 1))
    .join('\n');
}

describe.skipIf(!run)('lapse tui in tmux', () => {
  let dir: string;
  let trace: string;
  const t = new Tmux();

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'lapse-tui-'));
    trace = join(dir, 'session.lapse');
    writeSyntheticTrace(trace);
    t.start(120, 40);
    t.type(`node ${BIN} tui ${trace}; echo "EXIT=$?"`);
  });

  afterAll(() => {
    t.kill();
    rmSync(dir, { recursive: true, force: true });
  });

  it('opens with the totals, the time split and the lanes', async () => {
    // the status row is painted last: wait for it too, or a busy machine captures half a screen
    const s = await t.waitFor((x) => x.includes('total 22.0s') && x.includes('requests (5)') && x.includes('‖ paused'), 'the viewer');
    expect(s).toContain('lapse session.lapse');
    expect(s).toMatch(/░wait 2\.55s +█stream 3\.95s +▒tool 4\.00s +─user 10\.0s +·harness 1\.50s/);
    const lines = s.split('\n');
    const path = lines.find((l) => l.startsWith('path'))!;
    for (const g of '░█▒─·') expect(path).toContain(g);
    expect(lines.find((l) => l.startsWith('side'))).toContain('━');
    expect(lines.find((l) => l.startsWith('files'))).toContain('~');
    expect(s).toContain('‖ paused  0:00.0 / 0:22.0  1×  original');
    expect(t.display('#{alternate_on}')).toBe('1');
  });

  it('space plays and the playhead moves; space again pauses', async () => {
    const before = markerCol(t.screen());
    t.keys('Space');
    const s = await t.waitFor((x) => x.includes('▶ playing') && clockMs(x) >= 1500, 'the clock to run');
    expect(markerCol(s)).toBeGreaterThan(before);
    t.keys('Space');
    const paused = await t.waitFor((x) => x.includes('‖ paused'), 'pause');
    const at = clockMs(paused);
    await new Promise((r) => setTimeout(r, 400));
    expect(clockMs(t.screen())).toBe(at);
  });

  it('s switches the shown total, the bar and the clock to the simulated session', async () => {
    const model = analyseTrace(readTrace(syntheticTraceBytes()));
    const spark = simulate(model, PROFILES.spark).simulated.durationMs;
    t.keys('s');
    const s = await t.waitFor((x) => x.includes('→ spark'), 'the spark profile');
    expect(s).toContain(`total 22.0s → spark ${fmtDur(spark)}`);
    expect(s).toMatch(/\/ 0:16\.\d  1×  spark/);
    expect(s.split('\n').some((l) => l.startsWith('spark'))).toBe(true);
    t.keys('s', 's', 's');
    const back = await t.waitFor((x) => x.includes('1×  original') && !/total 22\.0s →/.test(x), 'back to original');
    expect(back).toContain('/ 0:22.0');
  });

  it('] jumps to the next request and seeking changes what the detail pane shows', async () => {
    t.keys('Home', ']');
    // r0 starts at 1.0 s; the clock says the keys were read (the pane may still show r0 from before Home)
    let s = await t.waitFor((x) => detailOf(x).includes('r0 claude-test') && clockMs(x) === 1000, 'request r0');
    expect(detailOf(s)).toContain('░ waiting for the first token');
    expect(detailOf(s)).toContain('fix the failing test in src/a.test.ts');
    t.keys(']', ']');
    s = await t.waitFor((x) => detailOf(x).includes('r1 claude-test'), 'request r1');
    expect(clockMs(s)).toBe(5000);
    expect(detailOf(s)).toContain('« Read result');
    expect(detailOf(s)).not.toContain('modify src/a.ts');
    // 10% forward: 7.2 s, the Edit tool is running, the file not yet changed.
    t.keys('S-Right');
    s = await t.waitFor((x) => clockMs(x) === 7200, 'a big step');
    expect(detailOf(s)).toContain('▒ tools running (Edit)');
    expect(detailOf(s)).toContain('The test expects a to equal 2');
    expect(detailOf(s)).not.toContain('+export const a = 2;');
    // Three small steps (1% each): past 7.8 s, where the edit landed.
    t.keys('Right', 'Right', 'Right');
    s = await t.waitFor((x) => detailOf(x).includes('+export const a = 2;'), 'the diff');
    expect(detailOf(s)).toContain('~ modify src/a.ts');
    expect(detailOf(s)).toContain('-export const a = 1;');
  });

  it('enter opens the request in full and esc closes it', async () => {
    t.keys('Enter');
    let s = await t.waitFor((x) => x.includes('request r1 ·'), 'the request view');
    expect(s).toContain('POST /v1/messages?beta=true');
    expect(s).toMatch(/x-api-key: \S*redacted/i);
    t.keys('Escape');
    s = await t.waitFor((x) => !x.includes('request r1 ·'), 'the request view to close');
    expect(s).toContain('requests (5)');
  });

  it('follows a resize to 80×24', async () => {
    t.resize(80, 24);
    const s = await t.waitFor((x) => x.split('\n').filter((l) => l.length > 0).length <= 24 && /paused/.test(x.split('\n')[23] ?? ''), 'the 80×24 layout');
    const lines = s.split('\n');
    for (const l of lines) expect(l.length).toBeLessThanOrEqual(80);
    expect(lines[0]).toContain('total 22.0s');
    expect(s).toContain('requests (5)');
  });

  it('q quits with exit code 0 and gives the terminal back', async () => {
    t.keys('q');
    const s = await t.waitFor((x) => x.includes('EXIT=0'), 'the exit code');
    expect(s).not.toContain('requests (5)');
    expect(s.trimEnd().split('\n').pop()).toBe(PROMPT.trim());
    expect(t.display('#{alternate_on}')).toBe('0');
    expect(t.display('#{cursor_flag}')).toBe('1');
  });
});

describe.skipIf(!run)('lapse tui in tmux: a recorded fixture, colours', () => {
  const t = new Tmux();
  afterAll(() => t.kill());

  it('opens a recorded session with its totals and lanes, in colour', async () => {
    const model = analyseTrace(readTrace(readFileSync(FIXTURE)));
    t.start(100, 30);
    t.type(`node ${BIN} tui ${FIXTURE}; echo "EXIT=$?"`);
    const s = await t.waitFor((x) => x.includes(`total ${fmtDur(model.durationMs)}`), 'the fixture');
    expect(s).toContain(`requests (${model.requests.length})`);
    expect(s.split('\n').some((l) => l.startsWith('path') && l.includes('█'))).toBe(true);
    // Colour escapes (SGR 30–37/90–97/38;5) are on screen.
    expect(t.screen(true)).toMatch(/\x1b\[[0-9;]*(3[0-7]|9[0-7]|38;5;\d+)m/);
    t.keys('q');
    await t.waitFor((x) => x.includes('EXIT=0'), 'exit');
  });
});

describe.skipIf(!run)('lapse tui in tmux: NO_COLOR', () => {
  const t = new Tmux();
  afterAll(() => t.kill());

  it('draws no colour at all when NO_COLOR is set', async () => {
    t.start(100, 30, { NO_COLOR: '1' });
    t.type(`node ${BIN} tui ${FIXTURE}; echo "EXIT=$?"`);
    await t.waitFor((x) => x.includes('requests ('), 'the viewer');
    t.keys('s');
    await t.waitFor((x) => x.includes('→ spark'), 'the spark profile');
    const raw = t.screen(true);
    expect(raw).not.toMatch(/\x1b\[([0-9;]*;)?(3[0-7]|9[0-7]|4[0-7]|10[0-7]|[34]8;[25][0-9;]*)m/);
    expect(raw).toContain('█');
    t.keys('q');
    await t.waitFor((x) => x.includes('EXIT=0'), 'exit');
  });
});

describe.skipIf(!run)('lapse tui in tmux: wide characters and emoji at 80×24', () => {
  const t = new Tmux();
  let dir: string;
  afterAll(() => {
    t.kill();
    rmSync(dir, { recursive: true, force: true });
  });

  it('draws CJK text two cells wide and emoji as one-cell stand-ins, the layout in line', async () => {
    dir = mkdtempSync(join(tmpdir(), 'lapse-tui-cjk-'));
    const recs = syntheticRecords();
    for (const r of recs) {
      if (r.kind !== 'http-data' || r.sse?.form !== 'structured') continue;
      const d = (r.sse.data as { delta?: { type?: string; text?: string } }).delta;
      if (d?.type === 'text_delta') d.text = `${d.text}漢字 ✅🎉 `;
    }
    const trace = join(dir, 'wide.lapse');
    writeFileSync(trace, syntheticTraceBytes(recs));
    t.start(80, 24);
    t.type(`node ${BIN} tui ${trace}; echo "EXIT=$?"`);
    await t.waitFor((x) => x.includes('requests (5)'), 'the viewer');
    t.keys('End');
    const s = await t.waitFor((x) => x.includes('漢字 ✓◆'), 'the wide text');
    expect(s).not.toContain('??');
    expect(s).not.toContain('🎉');
    // Every row fits the 80 columns, counting CJK as two.
    for (const l of s.split('\n')) expect([...l].reduce((w, ch) => w + (/[\u3000-\u9fff]/.test(ch) ? 2 : 1), 0)).toBeLessThanOrEqual(80);
    // The list/detail separator stays in one column on every pane row.
    const cols = new Set(s.split('\n').filter((l) => l.includes('│')).map((l) => l.indexOf('│')));
    expect(cols.size).toBe(1);
    t.keys('q');
    await t.waitFor((x) => x.includes('EXIT=0'), 'exit');
  });
});

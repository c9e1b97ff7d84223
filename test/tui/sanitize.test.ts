// Trace content never drives the terminal in `lapse tui` either: ESC sequences (OSC 52 clipboard
// write, OSC 0 title, CSI screen clear), C1 controls and BEL in a prompt, a tool's output, the model's
// text, a tool name, a model name, a file path and a marker show as visible text in every row the
// layout makes (the main view, the detail pane, the help and the full request view), and none reaches
// the terminal of a real `lapse tui` (tmux; skipped without it, failing under CI=true).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
// the format's index: it brings the Brotli decoder a compacted trace needs
import { readTrace } from '../../format/index.js';
import { analyse } from '../../analysis/session.js';
import { DetailIndex } from '../../cli/tui/detail.js';
import { Layout } from '../../cli/tui/layout.js';
import { Palette } from '../../cli/tui/palette.js';
import { TuiState } from '../../cli/tui/state.js';
import { PROMPT_1, R1_TEXT, READ_RESULT, syntheticRecords, syntheticTraceBytes } from '../factory/agent-session.js';
import type { TraceRecord } from '../../format/types.js';
import { plain } from './helpers.js';
import { hasTmux, Tmux } from '../tmux.js';

const OSC52 = '\u001b]52;c;ZXZpbA==\u0007';
const OSC0 = '\u001b]0;pwned\u0007';
const CSI = '\u001b[2J\u001b[H';
const C1 = '\u009b31m\u0085';

/** Any ESC that does not start lapse's own colour (SGR), any other C0 but newline, DEL, any C1. */
// eslint-disable-next-line no-control-regex
const UNSAFE = /\u001b(?!\[[0-9;]*m)|[\u0000-\u0009\u000b-\u001a\u001c-\u001f\u007f-\u009f]/;

/** The synthetic session with escapes in the prompt, the tool result, the model's text and names. */
function evilRecords(): TraceRecord[] {
  const swap: Array<[string, string]> = [
    [PROMPT_1, `fix ${OSC52}the failing test${C1}`],
    [READ_RESULT, `import ${CSI}{ a } from "./a";\n${OSC0}expect(a).toBe(2);\n`],
    ['Fixing ', `Fix${OSC52}ing `],
    [R1_TEXT, R1_TEXT.replace('Fixing ', `Fix${OSC52}ing `)],
    ['claude-test', `claude${OSC0}test`],
    ['Read', `Re${C1}ad`],
    ['src/a.ts', `src/${CSI}a.ts`],
  ];
  const fix = (v: unknown): unknown => {
    if (typeof v === 'string') return swap.reduce((s, [from, to]) => (s === from ? to : s), v).replace(/"\.\/a"/g, '"./a"');
    if (Array.isArray(v)) return v.map(fix);
    if (v && typeof v === 'object' && !(v instanceof Uint8Array)) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, fix(x)]));
    return v;
  };
  const recs = syntheticRecords().map((r) => fix(r) as TraceRecord);
  recs.push({ kind: 'marker', t: 8_000_000, label: `checkpoint ${OSC0}${C1}` });
  return recs.sort((a, b) => a.t - b.t);
}

describe('tui: trace content is sanitised', () => {
  it('no row the layout makes carries a live control sequence, and the text is still shown', () => {
    const trace = readTrace(syntheticTraceBytes(evilRecords()));
    const { model, exchanges } = analyse(trace);
    // the escapes really are in what the TUI reads
    expect(JSON.stringify(model)).toContain('\\u001b]52');
    let rows = 0;
    const seen: string[] = [];
    for (const color of [false, true]) {
      const state = new TuiState(model);
      const layout = new Layout(state, new DetailIndex(model, exchanges), new Palette(color), { title: `evil${OSC0}.lapse` });
      for (const [w, h] of [[80, 24], [140, 45]] as const) {
        for (const t of [0, 1500, 2000, 2900, 4000, 5800, 6500, 7900, 8100, 9500, 15_000, 21_000, 22_000]) {
          state.seekTo(Math.min(t, state.durationMs));
          for (const overlay of [null, 'help', 'request'] as const) {
            if (overlay) state.openOverlay(overlay);
            for (const r of layout.frame(w, h)) {
              rows++;
              const bad = UNSAFE.exec(r);
              expect(bad, `row at t=${t} ${w}×${h} ${overlay ?? 'main'}: ${JSON.stringify(r)}`).toBeNull();
              seen.push(plain(r));
            }
            if (overlay) state.closeOverlay();
          }
        }
      }
    }
    expect(rows).toBeGreaterThan(1000);
    // what the escapes were embedded in still reads, with the controls visible
    const all = seen.join('\n');
    expect(all).toContain('the failing test');
    expect(all).toMatch(/\^\[\]52;c;ZXZpbA==\^G/);
    expect(all).toContain('expect(a).toBe(2)');
  });
});

const BIN = new URL('../../bin/lapse.js', import.meta.url).pathname;

describe.skipIf(!(hasTmux || process.env.CI === 'true'))('tui: trace content is sanitised in a real terminal', () => {
  it('the bytes lapse tui writes (the viewer, and its refusal of a bad file) carry none of the sequences; the pane title stays; the text shows', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lapse-tui-evil-'));
    const trace = join(dir, 'evil.lapse');
    writeFileSync(trace, syntheticTraceBytes(evilRecords()));
    const out = join(dir, 'pane.bytes');
    const t = new Tmux();
    try {
      t.start(140, 45);
      await t.waitFor((x) => x.includes('lapse-test$'), 'the shell');
      // every byte the pane's program writes, as written
      spawnSync('tmux', ['-L', t.socket, '-f', '/dev/null', 'pipe-pane', '-t', 'tui', '-o', `cat > '${out}'`]);
      t.type(`node ${BIN} tui ${trace}; echo "EXIT=$?"`);
      await t.waitFor((x) => x.includes('total 22.0s') && x.includes('‖ paused'), 'the viewer');
      // the first request in full: its prompt and the model's answer; then the next ones with a tool result
      const seen: string[] = [];
      // the clock in the status line says the key was read: the screen before it still says paused
      const clock = (x: string) => /‖ paused\s+(\S+) \//.exec(x)?.[1];
      for (let k = 0; k < 4; k++) {
        const before = clock(t.screen());
        t.keys(']');
        seen.push(await t.waitFor((x) => clock(x) !== undefined && clock(x) !== before, 'the next request'));
        t.keys('Enter');
        seen.push(await t.waitFor((x) => /request \S+ · rows 1–/.test(x), 'the request view'));
        t.keys('Escape');
        await t.waitFor((x) => !x.includes('rows 1–'), 'the request view to close');
      }
      t.keys('?');
      seen.push(await t.waitFor((x) => x.includes('lapse tui — keys'), 'the help'));
      t.keys('Escape');
      // q only once the help is closed: ESC and q arriving together read as Alt-q
      await t.waitFor((x) => !x.includes('lapse tui — keys'), 'the help to close');
      t.keys('q');
      await t.waitFor((x) => x.includes('EXIT=0'), 'lapse tui to exit');
      // its one-line refusal of a file that is no trace names the file: its name is shown, not obeyed
      writeFileSync(join(dir, `junk${OSC0}.lapse`), 'not a trace');
      t.type(`node ${BIN} tui "${dir}/junk$(printf '\\033]0;pwned\\007').lapse"; echo "EXIT=$?"`);
      await t.waitFor((x) => x.includes('EXIT=2'), 'the refusal');
      expect(t.screen()).toContain('junk\\u001b]0;pwned\\u0007.lapse');
      const bytes = readFileSync(out, 'utf8');
      expect(bytes.length).toBeGreaterThan(1000);
      for (const bad of [OSC52, OSC0, '\u001b]52', '\u001b]0;', CSI, '\u009b', '\u0085']) expect(bytes.includes(bad), JSON.stringify(bad)).toBe(false);
      expect(t.display('#{pane_title}')).not.toContain('pwned');
      const screens = seen.join('\n');
      expect(screens).toContain('^[]52;c;ZXZpbA==^G');
      expect(screens).toContain('failing test');
    } finally {
      t.kill();
      rmSync(dir, { recursive: true, force: true });
    }
  }, 90_000);
});

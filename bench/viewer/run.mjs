// Viewer performance on a 1M-event trace, in headless Chromium (Debian's; never downloaded).
//   npm run build && node bench/viewer/run.mjs [--events N] [--keep]
// Measures, from navigation start: the first paint of the timeline (a preview drawn while the trace is
// still being read) and the moment the full session model is drawn; then frame rate and redraw cost
// while zooming and panning (1) by a script that changes the d3-zoom transform every animation frame
// and (2) by real wheel and drag input sent through the DevTools protocol.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { compactTrace } from '../../dist/format/index.js';
import { startViewServer } from '../../dist/cli/view/server.js';
import { syntheticTrace } from './synthetic.mjs';

const root = join(import.meta.dirname, '..', '..');
const arg = (name, def) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? process.argv[i + 1] : def;
};
const events = Number(arg('--events', 1_000_000));
const load = (await import('node:os')).loadavg()[0];
const steps = 250;
const tokensPerStep = Math.max(10, Math.round(events / steps) - 40);

const outDir = join(root, 'test-output');
mkdirSync(outDir, { recursive: true });
const tracePath = join(outDir, `bench-viewer-${events}-c2.lapse`);
if (!existsSync(tracePath)) {
  const t0 = performance.now();
  process.stderr.write(`generating ${tracePath} (once; cached in test-output/)…\n`);
  const s = syntheticTrace({ steps, tokensPerStep, tokensPerSecond: 90, perFrame: 16 });
  // A finished recording is compacted by the writer on close: bench the file a user would open.
  writeFileSync(tracePath, compactTrace(s.bytes) ?? s.bytes);
  process.stderr.write(`  ${s.events.toLocaleString('en-US')} SSE events, ${s.records.toLocaleString('en-US')} records in ${((performance.now() - t0) / 1000).toFixed(0)} s\n`);
}
const size = readFileSync(tracePath).length;

const server = await startViewServer({ tracePath });
const browser = await chromium.launch({
  executablePath: process.env.LAPSE_CHROMIUM ?? '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
});
const page = await browser.newPage({ viewport: { width: 1600, height: 1000 } });
const errors = [];
page.on('pageerror', (e) => errors.push(e.message));
await page.goto(server.url);
await page.waitForSelector('body[data-state="ready"]', { timeout: 600_000 });

await page.waitForFunction(() => performance.getEntriesByName('lapse:ready').length > 0);
const loadT = await page.evaluate(() => ({
  firstPaint: performance.getEntriesByName('lapse:first-paint')[0]?.startTime ?? null,
  boot: performance.getEntriesByName('lapse:boot')[0]?.startTime ?? null,
  response: performance.getEntriesByName('lapse:trace-response')[0]?.startTime ?? null,
  ready: performance.getEntriesByName('lapse:ready')[0]?.startTime ?? null,
  records: window.__lapse.current.state.model.trace.records,
  requests: window.__lapse.current.state.model.requests.length,
  deltas: window.__lapse.current.state.model.requests.reduce((n, r) => n + r.deltas.length, 0),
  heapMB: performance.memory ? Math.round(performance.memory.usedJSHeapSize / 1e6) : null,
}));

/** Scripted: every animation frame changes the zoom transform (zoom in ×1.03 or pan 25 px); 4 s. */
const scripted = await page.evaluate(
  () =>
    new Promise((resolve) => {
      const tl = window.__lapse.timeline;
      tl.resetZoom();
      const frames = [];
      const draws = [];
      const start = performance.now();
      let i = 0;
      const step = (now) => {
        frames.push(now);
        draws.push(tl.lastDrawMs);
        const phase = Math.floor(i / 40) % 3;
        if (phase === 0) tl.zoomBy(1.06, 800);
        else if (phase === 1) tl.panBy(i % 2 ? 25 : 30);
        else tl.zoomBy(1 / 1.04, 600);
        i++;
        if (now - start < 4000) requestAnimationFrame(step);
        else resolve({ frames, draws });
      };
      requestAnimationFrame(step);
    }),
);

/** Real input: wheel and drag events through the DevTools protocol as fast as they go; 4 s. */
await page.evaluate(() => {
  window.__bench = { frames: window.__lapse.timeline.frames, t0: performance.now(), draws: [] };
  const tl = window.__lapse.timeline;
  const orig = tl.draw.bind(tl);
  tl.draw = () => {
    orig();
    window.__bench.draws.push(tl.lastDrawMs);
  };
  tl.resetZoom();
});
const box = await page.locator('[data-testid="timeline"]').boundingBox();
const t0 = Date.now();
let k = 0;
while (Date.now() - t0 < 4000) {
  const x = box.x + 300 + (k % 7) * 100;
  if (k % 20 < 10) {
    await page.mouse.move(x, box.y + 40);
    await page.mouse.wheel(0, k % 20 < 7 ? -120 : 80);
  } else {
    await page.mouse.move(x, box.y + 60);
    await page.mouse.down();
    for (let d = 1; d <= 5; d++) await page.mouse.move(x - d * 30, box.y + 60);
    await page.mouse.up();
  }
  k++;
}
const input = await page.evaluate(() => ({ draws: window.__bench.draws, ms: performance.now() - window.__bench.t0 }));
await browser.close();
await server.close();

const pct = (xs, p) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] : NaN;
};
const intervals = scripted.frames.slice(1).map((t, i) => t - scripted.frames[i]);
const fps = (intervals.length / (scripted.frames.at(-1) - scripted.frames[0])) * 1000;
const f1 = (x) => (Number.isFinite(x) ? x.toFixed(1) : '—');
console.log(`trace                ${events.toLocaleString('en-US')} events requested → ${loadT.deltas.toLocaleString('en-US')} content deltas, ${loadT.records.toLocaleString('en-US')} records, ${loadT.requests} requests, ${(size / 1e6).toFixed(1)} MB`);
console.log(`first paint          ${f1(loadT.firstPaint)} ms after navigation start (timeline preview while reading; goal ≤ 500); script started at ${f1(loadT.boot)}, trace response at ${f1(loadT.response)}`);
console.log(`fully drawn          ${f1(loadT.ready)} ms (trace read, session model built, every view drawn; goal ≤ 1500)${loadT.heapMB ? `; JS heap ${loadT.heapMB} MB` : ''}`);
console.log(`scripted zoom/pan    ${f1(fps)} fps over ${intervals.length} frames; frame interval p50 ${f1(pct(intervals, 50))} / p95 ${f1(pct(intervals, 95))} / max ${f1(Math.max(...intervals))} ms; redraw p50 ${f1(pct(scripted.draws, 50))} / p95 ${f1(pct(scripted.draws, 95))} ms (goal ≥ 30 fps)`);
console.log(`real wheel/drag      ${input.draws.length} redraws in ${f1(input.ms)} ms (${f1((input.draws.length / input.ms) * 1000)}/s, limited by the input driver); redraw p50 ${f1(pct(input.draws, 50))} / p95 ${f1(pct(input.draws, 95))} / max ${f1(Math.max(...input.draws))} ms`);
console.log(`machine              load average ${load.toFixed(1)} at the start (${(await import('node:os')).cpus().length} cores): figures scale with it`);
if (errors.length) console.log(`page errors: ${errors.join('; ')}`);

// Where the viewer's load time goes, on the bench trace: a CPU profile (DevTools protocol) from
// navigation to "fully drawn", listed as top self-time functions, plus the page's resource timings.
//   npm run build && node bench/viewer/profile.mjs [--events N] [--top 30] [--incl 40] [--no-profile] [--save profile.cpuprofile]
// (function names are readable with an unminified build: npx vite build --config viewer/vite.config.ts --minify false)
// (generate the trace once with bench/viewer/run.mjs)
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { startViewServer } from '../../dist/cli/view/server.js';

const root = join(import.meta.dirname, '..', '..');
const arg = (name, def) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? process.argv[i + 1] : def;
};
const events = Number(arg('--events', 1_000_000));
const top = Number(arg('--top', 30));
const profiling = !process.argv.includes('--no-profile');
const tracePath = join(root, 'test-output', `bench-viewer-${events}-c2.lapse`);

const server = await startViewServer({ tracePath });
const browser = await chromium.launch({
  executablePath: process.env.LAPSE_CHROMIUM ?? '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
});
const page = await browser.newPage({ viewport: { width: 1600, height: 1000 } });
const cdp = await page.context().newCDPSession(page);
if (profiling) {
  await cdp.send('Profiler.enable');
  await cdp.send('Profiler.setSamplingInterval', { interval: 200 });
  await cdp.send('Profiler.start');
}
await page.goto(server.url);
await page.waitForFunction(() => performance.getEntriesByName('lapse:ready').length > 0, null, { timeout: 600_000 });
const { profile } = profiling ? await cdp.send('Profiler.stop') : { profile: { nodes: [], samples: [], timeDeltas: [] } };
const marks = await page.evaluate(() => ({
  marks: performance.getEntriesByType('mark').map((m) => [m.name, Math.round(m.startTime)]),
  res: performance.getEntriesByType('resource').map((r) => [r.name.replace(location.origin, ''), Math.round(r.startTime), Math.round(r.responseStart), Math.round(r.responseEnd)]),
  nav: (({ responseStart, responseEnd, domInteractive, domContentLoadedEventStart }) => ({ responseStart, responseEnd, domInteractive, domContentLoadedEventStart }))(performance.getEntriesByType('navigation')[0]),
}));
await browser.close();
await server.close();

if (arg('--save', null)) writeFileSync(arg('--save', null), JSON.stringify(profile));
const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const self = new Map();
const dt = profile.timeDeltas;
for (let i = 0; i < profile.samples.length; i++) {
  const n = byId.get(profile.samples[i]);
  const f = n.callFrame;
  const key = `${f.functionName || '(anon)'} ${f.url.split('/').pop()}:${f.lineNumber + 1}:${f.columnNumber + 1}`;
  self.set(key, (self.get(key) ?? 0) + (dt[i + 1] ?? 0) / 1000);
}
const total = [...self.values()].reduce((a, b) => a + b, 0);
console.log('marks', JSON.stringify(marks.marks));
console.log('nav', JSON.stringify(marks.nav));
for (const r of marks.res) console.log('resource', JSON.stringify(r));
console.log(`profile ${total.toFixed(0)} ms sampled`);
for (const [k, v] of [...self].sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(`${v.toFixed(1).padStart(8)} ms  ${k}`);

// The bundle's own evaluation (its top-level function, before boot): inclusive time by callee.
if (profiling) {
  const parent = new Map();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const incl = new Map();
  for (let i = 0; i < profile.samples.length; i++) {
    let id = profile.samples[i];
    const ms = (dt[i + 1] ?? 0) / 1000;
    while (id !== undefined) {
      incl.set(id, (incl.get(id) ?? 0) + ms);
      id = parent.get(id);
    }
  }
  const name = (n) => `${n.callFrame.functionName || '(anon)'} ${n.callFrame.url.split('/').pop()}:${n.callFrame.lineNumber + 1}`;
  const tops = profile.nodes.filter((n) => n.callFrame.url.includes('/assets/') && !n.callFrame.functionName && n.callFrame.lineNumber === 0 && parent.has(n.id) && !byId.get(parent.get(n.id)).callFrame.url);
  for (const t of tops) {
    console.log(`bundle evaluation ${(incl.get(t.id) ?? 0).toFixed(1)} ms (${name(t)}); callees:`);
    // vite's iife wraps the bundle in a second top-level function: list the callees below both.
    let body = t;
    while (body.children?.length === 1 && !byId.get(body.children[0]).callFrame.functionName) body = byId.get(body.children[0]);
    const kids = (body.children ?? []).map((c) => byId.get(c)).sort((a, b) => (incl.get(b.id) ?? 0) - (incl.get(a.id) ?? 0));
    for (const k of kids.slice(0, 15)) console.log(`  ${(incl.get(k.id) ?? 0).toFixed(1).padStart(7)} ms  ${name(k)}`);
  }
}

// Inclusive time of the viewer's own entry points (what a phase costs, callees included).
if (profiling) {
  const parent = new Map();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const inclByName = new Map();
  for (let i = 0; i < profile.samples.length; i++) {
    const ms = (dt[i + 1] ?? 0) / 1000;
    const seen = new Set();
    for (let id = profile.samples[i]; id !== undefined; id = parent.get(id)) {
      const f = byId.get(id).callFrame;
      if (!f.url.includes('/assets/') || !f.functionName) continue;
      const key = `${f.functionName} :${f.lineNumber + 1}`;
      if (seen.has(key)) continue;
      seen.add(key);
      inclByName.set(key, (inclByName.get(key) ?? 0) + ms);
    }
  }
  console.log('inclusive:');
  for (const [k, v] of [...inclByName].sort((a, b) => b[1] - a[1]).slice(0, Number(arg('--incl', 40)))) console.log(`${v.toFixed(1).padStart(8)} ms  ${k}`);
}

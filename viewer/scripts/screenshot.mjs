// Regenerates the README's screenshot (docs/viewer.png) from a committed fixture, in headless Chromium.
//   npm run build && node viewer/scripts/screenshot.mjs [TRACE] [OUT.png] [--select N] [--profile NAME]
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { chromium } from 'playwright-core';
import { startViewServer } from '../../dist/cli/view/server.js';

const root = join(import.meta.dirname, '..', '..');
const args = process.argv.slice(2).filter((a, i, all) => !a.startsWith('--') && !(all[i - 1] ?? '').startsWith('--'));
const opt = (name, def) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? process.argv[i + 1] : def;
};
const trace = args[0] ?? join(root, 'fixtures/traces/anthropic.lapse');
const out = args[1] ?? join(root, 'docs/viewer.png');
const server = await startViewServer({ tracePath: trace });
const browser = await chromium.launch({ executablePath: process.env.LAPSE_CHROMIUM ?? '/usr/bin/chromium', args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run'] });
try {
  const page = await browser.newPage({ viewport: { width: 1440, height: 1000 } });
  await page.goto(server.url);
  await page.waitForSelector('body[data-state="ready"]');
  await page.click(`button[data-profile="${opt('--profile', 'spark')}"]`);
  // Midway through the session, with a request open in the inspector.
  await page.evaluate((n) => {
    const { state, player } = window.__lapse.current;
    const reqs = state.model.requests.filter((r) => r.critical);
    const r = reqs[Math.min(reqs.length - 1, n)];
    state.select(r.id);
    player.seekOrig(r.startMs + (r.endMs - r.startMs) * 0.8);
  }, Number(opt('--select', '2')));
  await page.waitForTimeout(300);
  mkdirSync(dirname(out), { recursive: true });
  await page.screenshot({ path: out, clip: { x: 0, y: 0, width: 1440, height: 1000 } });
  console.log(out);
} finally {
  await browser.close();
  await server.close();
}

// `lapse view` on the committed recordings of the built-in scripted agent (fixtures/traces/): real
// traces from the real recorder, one per protocol plus one with faults.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { launch, requireBuilt, root, skipBrowser, startView, watchErrors } from './helpers.js';

const dir = join(root, 'fixtures', 'traces');
let fixtures: string[] = [];
try {
  fixtures = readdirSync(dir).filter((f) => f.endsWith('.lapse')).sort();
} catch {
  // no fixtures folder yet
}

let browser: Browser;

describe.skipIf(skipBrowser || fixtures.length === 0)('lapse view on recorded fixtures', () => {
  beforeAll(async () => {
    requireBuilt();
    browser = await launch();
  });
  afterAll(async () => {
    await browser?.close();
  });

  it.each(fixtures)('%s: lanes, bars, slider, play, inspector, no console errors', async (name) => {
    const view = await startView(join(dir, name));
    const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    const errors = watchErrors(page);
    try {
      await page.goto(view.url);
      await page.waitForSelector('body[data-state="ready"]', { timeout: 30_000 });
      const drawn = await page.evaluate(() => window.__lapse!.timeline!.drawn);
      expect(drawn.path).toBeGreaterThan(0);
      expect(drawn.sim).toBeGreaterThan(0);
      expect(drawn.requests).toBeGreaterThan(0);
      expect(await page.locator('svg.bars rect').count()).toBe(10);
      const total = async (): Promise<number> => Number(await page.getAttribute('svg.bars g.row:nth-of-type(2)', 'data-total-ms'));
      const before = await total();
      // The slider all the way to 5,000 tok/s and TTFT × 0: the simulated session must be shorter.
      await page.locator('[data-testid="sim-tps"]').fill('1000');
      await page.locator('[data-testid="sim-ttft"]').fill('0');
      expect(await total()).toBeLessThan(before);
      // Play through at 64× with idle time capped: the output streams into the detail pane.
      await page.selectOption('[data-testid="speed"]', '64');
      await page.selectOption('[data-testid="idle"]', { label: 'idle ≤ 0.5 s' });
      await page.click('[data-testid="play"]');
      await page.waitForFunction(() => Number(document.querySelector<HTMLElement>('[data-testid="detail-stream"]')!.dataset.deltas ?? 0) > 0, null, { timeout: 20_000 });
      await page.click('[data-testid="play"]');
      // Click the first request on the path.
      await page.click('#reset-zoom');
      const id = await page.evaluate(() => window.__lapse!.current!.state.model.requests.find((r) => r.critical)!.id);
      const pt = await page.evaluate((rid) => window.__lapse!.timeline!.pointFor(rid), id);
      await page.mouse.click(pt!.x, pt!.y);
      await expect.poll(() => page.textContent('[data-testid="inspector-title"]')).toContain(id);
      expect(errors).toEqual([]);
    } finally {
      await page.close();
      await view.stop();
    }
  });
});

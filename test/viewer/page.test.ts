// The viewer in headless Chromium, served by `lapse view --no-open`: what a user sees and does.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { syntheticTrace } from '../../bench/viewer/synthetic.mjs';
import { openView, root, skipBrowser, type OpenView } from './helpers.js';

// Markup in a prompt: the page must show it as text and never run it.
const NASTY = 'Also <b>bold</b> <img src=x onerror="window.__xss=1"> please';

let opened: OpenView | undefined;
let page: Page;
let errors: string[];

async function simulatedTotal(p: Page): Promise<number> {
  return Number(await p.getAttribute('svg.bars g.row:nth-of-type(2)', 'data-total-ms'));
}

describe.skipIf(skipBrowser)('lapse view in Chromium', () => {
  beforeAll(async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lapse-page-'));
    const trace = join(dir, 'session.lapse');
    writeFileSync(trace, syntheticTrace({ steps: 8, tokensPerStep: 80, prompt2: NASTY }).bytes);
    opened = await openView(trace);
    ({ page, errors } = opened);
  });

  afterAll(async () => {
    await opened?.close();
  });

  it('draws every lane and both bars', async () => {
    const drawn = await page.evaluate(() => window.__lapse!.timeline!.drawn);
    for (const lane of ['path', 'sim', 'requests', 'side', 'files', 'tps']) expect(drawn[lane], lane).toBeGreaterThan(0);
    // The critical-path lane really holds the kind colours (pixels, not only counters).
    const colours = await page.evaluate(() => {
      const c = document.querySelector<HTMLCanvasElement>('[data-testid="timeline"]')!;
      const ctx = c.getContext('2d')!;
      const dpr = window.devicePixelRatio || 1;
      const y = Math.round((22 + 5 + 11) * dpr);
      const row = ctx.getImageData(0, y, c.width, 1).data;
      const seen = new Set<string>();
      for (let i = 0; i < row.length; i += 4) seen.add(`#${[row[i], row[i + 1], row[i + 2]].map((v) => v.toString(16).padStart(2, '0')).join('')}`);
      return [...seen];
    });
    for (const c of ['#e69f00', '#0072b2', '#009e73', '#cc79a7']) expect(colours, c).toContain(c);
    expect(await page.locator('svg.bars rect').count()).toBe(10);
    expect(await simulatedTotal(page)).toBeGreaterThan(1000);
    expect(await page.textContent('[data-testid="sentence"]')).toMatch(/Biggest share is/);
  });

  it('moving the tokens/s slider changes the simulated total live, while it moves', async () => {
    const before = await simulatedTotal(page);
    const recorded = Number(await page.getAttribute('svg.bars g.row:nth-of-type(1)', 'data-total-ms'));
    const box = (await page.locator('[data-testid="sim-tps"]').boundingBox())!;
    const y = box.y + box.height / 2;
    await page.mouse.move(box.x + box.width * 0.45, y);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width * 0.75, y, { steps: 5 });
    const during = await simulatedTotal(page); // still dragging
    await page.mouse.move(box.x + box.width - 2, y, { steps: 5 });
    await page.mouse.up();
    const after = await simulatedTotal(page);
    expect(during).toBeLessThan(before);
    expect(after).toBeLessThan(during);
    expect(Number(await page.getAttribute('svg.bars g.row:nth-of-type(1)', 'data-total-ms'))).toBe(recorded);
    expect(await page.textContent('[data-testid="speedup"]')).toMatch(/× faster at [\d,]+ tok\/s/);
    expect(await page.textContent('[data-testid="sentence"]')).toMatch(/Biggest remaining share is (user|tools)/);
    // A preset puts it back where it was.
    await page.click('button[data-profile="original"]');
    expect(await simulatedTotal(page)).toBe(before);
    await page.click('button[data-profile="spark"]');
    expect(await simulatedTotal(page)).toBeLessThan(before);
  });

  it('play streams the output into the detail pane and applies file diffs', async () => {
    await page.selectOption('[data-testid="speed"]', '8');
    await page.selectOption('[data-testid="idle"]', { label: 'idle ≤ 0.5 s' });
    await page.click('[data-testid="play"]');
    await page.waitForFunction(() => Number(document.querySelector<HTMLElement>('[data-testid="detail-stream"]')!.dataset.deltas ?? 0) > 5, null, { timeout: 15_000 });
    const first = (await page.textContent('[data-testid="detail-stream"]'))!.length;
    await page.waitForFunction((n) => document.querySelector('[data-testid="detail-stream"]')!.textContent!.length > n, first, { timeout: 15_000 });
    await page.waitForFunction(() => Number(document.querySelector<HTMLElement>('[data-testid="detail-files"]')!.dataset.applied ?? 0) >= 1, null, { timeout: 20_000 });
    expect(await page.textContent('[data-testid="detail-files"]')).toMatch(/modify src\//);
    await page.click('[data-testid="play"]'); // pause
    const clock = await page.textContent('[data-testid="clock"]');
    await page.waitForTimeout(300);
    expect(await page.textContent('[data-testid="clock"]')).toBe(clock);
  });

  it('plays as simulated: the clock runs over the simulated duration, and an idle limit shortens it', async () => {
    await page.click('button[data-profile="spark"]');
    await page.selectOption('[data-testid="idle"]', { label: 'no idle limit' });
    await page.selectOption('[data-testid="mode"]', 'simulated');
    const total = (): Promise<string> => page.textContent('[data-testid="clock"]').then((t) => t!.split(' / ')[1]);
    const sim = (await simulatedTotal(page)) / 1000;
    const [m, s] = (await total()).split(':').map(Number);
    expect(m * 60 + s).toBeCloseTo(sim, 0);
    await page.selectOption('[data-testid="idle"]', { label: 'idle ≤ 1 s' });
    const [m2, s2] = (await total()).split(':').map(Number);
    expect(m2 * 60 + s2).toBeLessThan(sim - 5);
    await page.selectOption('[data-testid="mode"]', 'recorded');
  });

  it('clicking a request on the timeline opens the inspector', async () => {
    await page.click('#reset-zoom');
    const pt = await page.evaluate(() => window.__lapse!.timeline!.pointFor('r2'));
    expect(pt).not.toBeNull();
    await page.mouse.move(pt!.x, pt!.y);
    await expect.poll(() => page.isVisible('.tooltip')).toBe(true);
    expect(await page.textContent('.tooltip')).toMatch(/request r2 .*TTFT .*tok\/s/s);
    await page.mouse.click(pt!.x, pt!.y);
    await expect.poll(() => page.textContent('[data-testid="inspector-title"]')).toMatch(/Request r2/);
    const text = (await page.textContent('[data-testid="inspector"]'))!;
    expect(text).toMatch(/What changed since the previous request \(r1\)/);
    expect(text).toMatch(/\d+ changes?: /);
    expect(text).toMatch(/TTFT/);
    expect(text).toMatch(/tool call Edit/);
    // headers as stored: the key is a fingerprint, never the secret
    await page.click('summary:has-text("Request headers")');
    const headers = (await page.textContent('table.headers'))!;
    expect(headers).toMatch(/x-api-key/);
    expect(headers).not.toMatch(/QQQQQQQQ/);
    await page.click('summary:has-text("Events")');
    expect(await page.locator('table.events tr').count()).toBeGreaterThan(50);
  });

  it('shows trace content as text, never as markup', async () => {
    // r4 opens the second turn with that prompt.
    await page.evaluate(() => window.__lapse!.current!.state.select('r4'));
    await page.click('summary:has-text("Request body")');
    const body = (await page.textContent('[data-testid="inspector"]'))!;
    expect(body).toContain('<img src=x onerror=');
    expect(await page.evaluate(() => (window as unknown as { __xss?: number }).__xss)).toBeUndefined();
    expect(await page.locator('#inspector img, #detail img, #inspector b, #detail b').count()).toBe(0);
  });

  it('zooms with the wheel and pans by dragging', async () => {
    await page.click('#reset-zoom');
    const before = await page.evaluate(() => window.__lapse!.timeline!.domain);
    const box = (await page.locator('[data-testid="timeline"]').boundingBox())!;
    await page.mouse.move(box.x + box.width / 2, box.y + 40);
    await page.mouse.wheel(0, -600);
    await expect.poll(async () => (await page.evaluate(() => window.__lapse!.timeline!.domain))[1]).toBeLessThan(before[1]);
    const zoomed = await page.evaluate(() => window.__lapse!.timeline!.domain);
    await page.mouse.move(box.x + box.width / 2, box.y + 60);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width / 2 - 200, box.y + 60, { steps: 4 });
    await page.mouse.up();
    const panned = await page.evaluate(() => window.__lapse!.timeline!.domain);
    expect(panned[0]).toBeGreaterThan(zoomed[0]);
    expect(panned[1] - panned[0]).toBeCloseTo(zoomed[1] - zoomed[0], 3);
  });

  it('logs no console errors, and leaves a screenshot', async () => {
    await page.click('#reset-zoom');
    await page.click('button[data-profile="spark"]');
    await page.evaluate(() => window.__lapse!.current!.state.select('r2'));
    mkdirSync(join(root, 'test-output'), { recursive: true });
    await page.screenshot({ path: join(root, 'test-output', 'viewer.png'), fullPage: true });
    expect(errors).toEqual([]);
  });
});

// The sessions page: `lapse view --report TRACE…` (or `lapse view` with no trace) shows what
// `lapse report` says, as a bar per day and a table of sessions; a click opens one.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { launch, rawGet, requireBuilt, root, skipBrowser, startView, watchErrors } from './helpers.js';

const fx = join(root, 'test', 'import', 'fixtures');
const traces = [join(fx, 'claude.lapse'), join(fx, 'codex.lapse')];
let browser: Browser;

describe.skipIf(skipBrowser)('lapse view: the sessions page', () => {
  beforeAll(async () => {
    requireBuilt();
    browser = await launch();
  });
  afterAll(async () => {
    await browser?.close();
  });

  it('shows the report as bars per day and a table; a click opens that session', async () => {
    const view = await startView(traces[0], ['--report', traces[1]]);
    const page = await browser.newPage({ viewport: { width: 1300, height: 900 } });
    const errors = watchErrors(page);
    try {
      const report = JSON.parse((await rawGet(view.port, '/report.json', `127.0.0.1:${view.port}`)).body.toString('utf8'));
      expect(report.sessions).toBe(2);
      await page.goto(view.url);
      await page.waitForSelector('body[data-state="sessions"]', { timeout: 30_000 });
      expect(await page.locator('[data-testid="session-table"] tbody tr').count()).toBe(2);
      expect(await page.locator('[data-testid="days"] .day-row').count()).toBe(new Set(report.traces.map((t: { startedAt: number }) => new Date(t.startedAt).toLocaleDateString('sv-SE'))).size);
      expect(await page.locator('[data-testid="days"] .stack-part').count()).toBeGreaterThan(0);
      expect(await page.textContent('[data-testid="sessions"] h2')).toContain('2 sessions');
      // the claude session: its row, clicked, opens its trace in the viewer
      const index = report.traces.findIndex((t: { path: string }) => t.path === traces[0]);
      await page.click(`tr.session-row[data-index="${index}"]`);
      await page.waitForSelector('body[data-state="ready"]', { timeout: 30_000 });
      expect(page.url()).toContain(`?i=${index}`);
      expect(await page.textContent('#title')).toContain('claude.lapse');
      const n = await page.evaluate(() => window.__lapse!.current!.state.model.requests.length);
      expect(n).toBe(3);
      expect(await page.isVisible('#to-sessions')).toBe(true);
      expect(errors).toEqual([]);
      // only the listed traces are served, by index
      expect((await rawGet(view.port, '/trace.lapse?i=7', `127.0.0.1:${view.port}`)).status).toBe(404);
      // no trace of its own: nothing, and no error (the page asks for it before it knows it is the sessions page)
      expect((await rawGet(view.port, '/trace.lapse', `127.0.0.1:${view.port}`)).status).toBe(204);
      expect((await rawGet(view.port, '/trace.lapse?i=../../etc/passwd', `127.0.0.1:${view.port}`)).status).toBe(404);
    } finally {
      await page.close();
      await view.stop();
    }
  }, 90_000);
});

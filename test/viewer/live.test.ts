// `lapse view` following a session while it is recorded: the scripted agent (10 requests) recorded by
// the real `lapse record` against the built-in endpoint, `lapse view --live` started before it (so it
// is open from the first second), headless Chromium on the page. Each request must show up on the page
// soon after the endpoint's own log says it ended, and at the end the page's figures are `lapse stats`'.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { launch, requireBuilt, runCli, skipBrowser, startView, watchErrors, type Viewing } from './helpers.js';
import { checkLatencies, LIVE_REQUESTS, startLiveSession, type LiveSession } from '../live-latency.js';

let browser: Browser;
let page: Page;
let view: Viewing;
let live: LiveSession;
let dir: string;
let errors: string[];
let readyAt = 0;

describe.skipIf(skipBrowser)('lapse view on a trace being recorded', () => {
  beforeAll(async () => {
    requireBuilt();
    dir = mkdtempSync(join(tmpdir(), 'lapse-live-'));
    const home = join(dir, 'traces');
    const workspace = join(dir, 'ws');
    const env = { ...process.env, LAPSE_HOME: home };
    // The viewer first: it waits for the recording to start, then serves it.
    const viewing = startView(null, ['--live'], env);
    live = await startLiveSession({ workspace, recordArgs: ['--quiet'], ttftMs: 250, seed: 3, thinkMs: 900, testMs: 400, env });
    view = await viewing;
    browser = await launch();
    page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    errors = watchErrors(page);
    await page.goto(view.url);
    await page.waitForSelector('body[data-state="ready"]', { timeout: 30_000 });
    readyAt = Date.now();
  }, 90_000);

  afterAll(async () => {
    await browser?.close();
    await view?.stop();
    await live?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('follows the recording: each request appears soon after it ended, the now line moves, the end is said', async () => {
    expect(await page.textContent('[data-testid="live"]')).toMatch(/live/);
    const now0 = await page.evaluate(() => window.__lapse!.timeline!.nowMs);
    await page.waitForTimeout(600);
    const now1 = await page.evaluate(() => window.__lapse!.timeline!.nowMs);
    expect(now0).not.toBeNull();
    expect(now1!).toBeGreaterThan(now0!);

    const rec = await live.exited;
    expect(rec.code, rec.stderr).toBe(0);
    await page.waitForFunction(() => document.querySelector('[data-testid="live"]')?.textContent === 'recording ended', null, { timeout: 15_000 });
    expect(await page.evaluate(() => window.__lapse!.timeline!.nowMs)).toBeNull();

    const seen = new Map<string, number>(await page.evaluate(() => [...window.__lapse!.current!.live!.seen]));
    const model = await page.evaluate(() => window.__lapse!.current!.state.model.requests.map((r) => ({ id: r.id, startMs: r.startMs })));
    // One endpoint log entry per model call; in arrival order they are the trace's requests in start order.
    const ends = live.ends();
    expect(model.length).toBe(LIVE_REQUESTS);
    expect(ends.length).toBe(LIVE_REQUESTS);
    checkLatencies('live view (Chromium)', model.map((r, i) => ({ id: r.id, endedAt: ends[i], shownAt: seen.get(r.id), timed: ends[i] > readyAt })));
    expect(errors).toEqual([]);
  });

  it('ends with the figures of lapse stats', async () => {
    const home = join(dir, 'traces');
    const trace = join(home, readdirSync(home).find((n) => n.endsWith('.lapse'))!);
    const st = await runCli(['stats', trace, '--json']);
    expect(st.code, st.stderr).toBe(0);
    const stats = JSON.parse(st.stdout) as { durationMs: number; breakdown: Record<string, number>; requests: Array<Record<string, unknown>> };
    const onPage = await page.evaluate(() => {
      const m = window.__lapse!.current!.state.model;
      // stats --json rounds times to the µs
      const us = (v: number | null): number | null => (v === null ? null : Math.round(v * 1000) / 1000);
      return { durationMs: m.durationMs, breakdown: m.breakdown, requests: m.requests.map((r) => ({ id: r.id, startMs: us(r.startMs), endMs: us(r.endMs), ttftMs: us(r.ttftMs), outputTokens: r.outputTokens, status: r.status, critical: r.critical })) };
    });
    expect(onPage.durationMs).toBeCloseTo(stats.durationMs, 3);
    for (const k of Object.keys(stats.breakdown)) expect((onPage.breakdown as Record<string, number>)[k], k).toBeCloseTo(stats.breakdown[k], 3);
    expect(onPage.requests).toEqual(stats.requests.map((r) => ({ id: r.id, startMs: r.startMs, endMs: r.endMs, ttftMs: r.ttftMs, outputTokens: r.outputTokens, status: r.status, critical: r.critical })));
    // and the page says what a page opened on the finished trace says
    const totals = await page.textContent('#totals');
    const after = await startView(trace);
    try {
      const p2 = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
      await p2.goto(after.url);
      await p2.waitForSelector('body[data-state="ready"]', { timeout: 30_000 });
      expect(await p2.textContent('#totals')).toBe(totals);
      expect(await p2.isHidden('[data-testid="live"]')).toBe(true);
      await p2.close();
    } finally {
      await after.stop();
    }
  });
});

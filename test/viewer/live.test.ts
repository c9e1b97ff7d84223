// `lapse view` following a session while it is recorded: the scripted agent (10 requests) recorded by
// the real `lapse record` against the built-in endpoint, `lapse view --live` started before it (so it
// is open from the first second), headless Chromium on the page. Each request must show up on the page
// soon after the endpoint's own log says it ended, and at the end the page's figures are `lapse stats`'.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { prepareWorkspace } from '../../cli/agent/workspace.js';
import { startModelServer, type ModelServer } from '../../cli/model/server.js';
import { launch, requireBuilt, root, runCli, skipBrowser, startView, watchErrors, type Viewing } from './helpers.js';
import { checkLatencies } from '../live-latency.js';
// turn 1: read, edit, test, summary (5 requests: the reads come back one by one); turn 2: changelog (2); then 3 short answers
const PROMPTS = ['fix the failing test', 'thanks! please add a changelog entry for the fix', 'anything else?', 'and the docs?', 'thanks, that is all'];

interface Ended {
  /** Wall-clock time the endpoint finished the response (its own log, at that moment). */
  wall: number;
  /** The endpoint's arrival time (its clock): the order requests were made in. */
  arrivedAt: number;
  modelCall: boolean;
}

let browser: Browser;
let page: Page;
let view: Viewing;
let server: ModelServer;
let dir: string;
let errors: string[];
const ended: Ended[] = [];
let readyAt = 0;
let recordExit: Promise<{ code: number | null; stderr: string }>;

describe.skipIf(skipBrowser)('lapse view on a trace being recorded', () => {
  beforeAll(async () => {
    requireBuilt();
    dir = mkdtempSync(join(tmpdir(), 'lapse-live-'));
    const home = join(dir, 'traces');
    const workspace = join(dir, 'ws');
    prepareWorkspace(workspace, true);
    server = await startModelServer({ ttftMs: 250, tokensPerSecond: 150, jitter: 0, seed: 3, onRequest: (e) => ended.push({ wall: Date.now(), arrivedAt: e.arrivedAt, modelCall: e.protocol !== 'models' && e.protocol !== 'count-tokens' && e.protocol !== 'unknown' }) });
    const env = { ...process.env, LAPSE_HOME: home };
    // The viewer first: it waits for the recording to start, then serves it.
    const viewing = startView(null, ['--live'], env);
    const rec = spawn(
      process.execPath,
      [
        join(root, 'bin/lapse.js'), 'record', '--anthropic-upstream', server.url, '--openai-upstream', `${server.url}/v1`, '--watch', workspace, '--quiet', '--',
        process.execPath, join(root, 'dist/cli/agent/main.js'), '--protocol', 'anthropic', '--workspace', workspace, '--think-ms', '900', '--test-ms', '400', '--quiet',
        ...PROMPTS.flatMap((p) => ['--prompt', p]),
      ],
      { cwd: root, stdio: ['ignore', 'ignore', 'pipe'], env },
    );
    let recErr = '';
    rec.stderr!.on('data', (d) => (recErr += String(d)));
    recordExit = new Promise((resolve) => rec.on('exit', (code) => resolve({ code, stderr: recErr })));
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
    await server?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('follows the recording: each request appears soon after it ended, the now line moves, the end is said', async () => {
    expect(await page.textContent('[data-testid="live"]')).toMatch(/live/);
    const now0 = await page.evaluate(() => window.__lapse!.timeline!.nowMs);
    await page.waitForTimeout(600);
    const now1 = await page.evaluate(() => window.__lapse!.timeline!.nowMs);
    expect(now0).not.toBeNull();
    expect(now1!).toBeGreaterThan(now0!);

    const rec = await recordExit;
    expect(rec.code, rec.stderr).toBe(0);
    await page.waitForFunction(() => document.querySelector('[data-testid="live"]')?.textContent === 'recording ended', null, { timeout: 15_000 });
    expect(await page.evaluate(() => window.__lapse!.timeline!.nowMs)).toBeNull();

    const seen = new Map<string, number>(await page.evaluate(() => [...window.__lapse!.current!.live!.seen]));
    const model = await page.evaluate(() => window.__lapse!.current!.state.model.requests.map((r) => ({ id: r.id, startMs: r.startMs })));
    // One endpoint log entry per model call; in arrival order they are the trace's requests in start order.
    const calls = ended.filter((e) => e.modelCall).sort((a, b) => a.arrivedAt - b.arrivedAt);
    expect(model.length).toBe(10);
    expect(calls.length).toBe(10);
    checkLatencies('live view (Chromium)', model.map((r, i) => ({ id: r.id, endedAt: calls[i].wall, shownAt: seen.get(r.id), timed: calls[i].wall > readyAt })));
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

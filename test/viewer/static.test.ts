// The built page with no server: opened from file://, a trace picked or dropped, read in the browser.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { syntheticTrace } from '../../bench/viewer/synthetic.mjs';
import { TraceEncoder, compactTrace } from '../../format/index.js';
import { nodeBrotliEncode } from '../../cli/trace/brotli.js';
import { brotliCompressSync, constants } from 'node:zlib';
import { buildFrame, Codec } from '../../format/frame.js';
import { concatBytes } from '../../format/bytes.js';
import { session } from '../format/helpers.js';
import { launch, requireBuilt, root, skipBrowser, watchErrors } from './helpers.js';

let browser: Browser;
let dir: string;
let trace: string;
let bytes: Uint8Array;

async function openStatic(): Promise<{ page: Page; errors: string[] }> {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  const errors = watchErrors(page);
  await page.goto(pathToFileURL(join(root, 'dist/viewer/index.html')).href);
  await page.waitForSelector('body[data-state="empty"]', { timeout: 20_000 });
  return { page, errors };
}

/** Drops a file with these bytes on the page, as a user dragging it in would. */
async function dropFile(page: Page, name: string, data: Uint8Array): Promise<void> {
  await page.evaluate(
    ([n, d]) => {
      const dt = new DataTransfer();
      dt.items.add(new File([new Uint8Array(d)], n));
      document.dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }));
    },
    [name, Array.from(data)] as const,
  );
}

describe.skipIf(skipBrowser)('the viewer as a static page', () => {
  beforeAll(async () => {
    requireBuilt();
    dir = mkdtempSync(join(tmpdir(), 'lapse-static-'));
    trace = join(dir, 'picked.lapse');
    bytes = syntheticTrace({ steps: 5, tokensPerStep: 30 }).bytes;
    writeFileSync(trace, bytes);
    browser = await launch();
  });

  afterAll(async () => {
    await browser?.close();
  });

  it('opens from file:// and reads a trace from the file picker', async () => {
    const { page, errors } = await openStatic();
    expect(await page.isVisible('#empty')).toBe(true);
    await page.setInputFiles('#file-input', trace);
    await page.waitForSelector('body[data-state="ready"]', { timeout: 20_000 });
    expect(await page.textContent('#title')).toContain('picked.lapse');
    expect(await page.evaluate(() => window.__lapse!.timeline!.drawn.path)).toBeGreaterThan(0);
    expect(await page.locator('svg.bars rect').count()).toBe(10);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('reads a compacted trace whose records are one Brotli frame (the decoder builds its dictionary on first use)', async () => {
    const compacted = compactTrace(bytes, undefined, { brotli: nodeBrotliEncode });
    expect(compacted).not.toBeNull();
    const small = join(dir, 'small.lapse');
    writeFileSync(small, compacted!);
    const { page, errors } = await openStatic();
    await page.setInputFiles('#file-input', small);
    await page.waitForSelector('body[data-state="ready"]', { timeout: 20_000 });
    expect(await page.evaluate(() => window.__lapse!.current!.state.model.requests.length)).toBeGreaterThan(0);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('a dropped Brotli bomb (256 MiB of zeros declared as 1 MiB) ends as a damaged frame, not a hang', async () => {
    const head = new TraceEncoder().encodeHeader(session());
    const stream = brotliCompressSync(Buffer.alloc(256 << 20), { params: { [constants.BROTLI_PARAM_QUALITY]: 5, [constants.BROTLI_PARAM_LGWIN]: 24 } });
    const payload = new Uint8Array(4 + stream.length);
    new DataView(payload.buffer).setUint32(0, 1 << 20, true);
    payload.set(stream, 4);
    const bomb = concatBytes([head, buildFrame(payload, Codec.Brotli)]);
    const { page } = await openStatic();
    await dropFile(page, 'bomb.lapse', bomb);
    await page.waitForSelector('body[data-state="ready"], body[data-state="error"]', { timeout: 20_000 });
    expect(await page.textContent('body')).toMatch(/cannot decompress/);
    await page.close();
  });

  it('reads a dropped trace', async () => {
    const { page, errors } = await openStatic();
    await dropFile(page, 'dropped.lapse', bytes);
    await page.waitForSelector('body[data-state="ready"]', { timeout: 20_000 });
    expect(await page.textContent('#title')).toContain('dropped.lapse');
    expect(errors).toEqual([]);
    await page.close();
  });

  it('says in one line why a file is not a trace', async () => {
    const { page } = await openStatic();
    const bad = join(dir, 'notes.txt');
    writeFileSync(bad, 'just some notes');
    await page.setInputFiles('#file-input', bad);
    await page.waitForSelector('body[data-state="error"]', { timeout: 20_000 });
    expect(await page.textContent('#error')).toMatch(/notes\.txt: not a lapse trace/);
    await page.close();
  });

  it('shows a session with no model requests at all without errors', async () => {
    const { page, errors } = await openStatic();
    const enc = new TraceEncoder();
    const head = enc.encodeHeader({ kind: 'session', t: 0, formatVersion: { major: 1, minor: 0 }, lapseVersion: 'test', startedAt: 1_750_000_000_000, argv: ['true'], cwd: '/', harness: null, upstreams: { anthropic: '', openai: '' }, redacted: true });
    const body = enc.frame([enc.encode({ kind: 'process-start', t: 1000, pid: 1, argv: ['true'] }), enc.encode({ kind: 'process-exit', t: 900_000, pid: 1, code: 0, signal: null })]);
    const empty = join(dir, 'empty.lapse');
    writeFileSync(empty, Buffer.concat([head, body]));
    await page.setInputFiles('#file-input', empty);
    await page.waitForSelector('body[data-state="ready"]', { timeout: 20_000 });
    await page.click('[data-testid="play"]');
    await page.locator('[data-testid="sim-tps"]').fill('700');
    await page.waitForTimeout(200);
    expect(await page.textContent('.totals')).toMatch(/0 on path/);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('shows what it could read of a truncated trace, with a warning', async () => {
    const { page, errors } = await openStatic();
    const cut = join(dir, 'cut.lapse');
    writeFileSync(cut, bytes.subarray(0, Math.floor(bytes.length * 0.6)));
    await page.setInputFiles('#file-input', cut);
    await page.waitForSelector('body[data-state="ready"]', { timeout: 20_000 });
    expect(await page.textContent('#warnings')).toMatch(/cut short|damaged/);
    expect(errors).toEqual([]);
    await page.close();
  });
});

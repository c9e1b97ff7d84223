// "Loads in Chrome DevTools' HAR import": the HAR goes through the importer of the DevTools frontend
// that ships inside Chromium (Debian's, never downloaded), the same code Network → Import HAR runs.
// The module path and class names are DevTools internals: if a Chromium update moves them, this test
// says so rather than passing quietly.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';
import { toHar, type Har } from '../../cli/export/har.js';
import { sessionOnDisk, tempDir } from './helpers.js';

const CHROMIUM = process.env.LAPSE_CHROMIUM ?? '/usr/bin/chromium';
const skip = !existsSync(CHROMIUM) && process.env.CI !== 'true';

interface Imported {
  url: string;
  method: string;
  status: number;
  type: string;
  startMs: number;
  endMs: number;
  receiveHeadersEndMs: number | null;
  frames: number;
  body: string | null;
}

describe.skipIf(skip)('HAR in Chrome DevTools', () => {
  const tmp = tempDir();
  let browser: Browser;
  let har: Har;

  beforeAll(async () => {
    har = toHar(sessionOnDisk(tmp.dir).input);
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'] });
  });
  afterAll(async () => {
    await browser?.close();
    tmp.cleanup();
  });

  it('the DevTools HAR importer reads every entry with its timings, bodies and WebSocket frames', async () => {
    const page = await browser.newPage();
    await page.goto('devtools://devtools/bundled/devtools_app.html', { timeout: 30_000 }).catch(() => undefined);
    // Passed as text: vitest would rewrite a dynamic import() inside a function it compiles.
    const script = `(async (doc) => {
      const HAR = await import('./models/har/har.js');
      const log = new HAR.HARFormat.HARRoot(doc).log;
      const out = [];
      for (const r of HAR.Importer.Importer.requestsFromHARLog(log)) {
        const c = await r.requestContentData();
        out.push({
          url: r.url(),
          method: r.requestMethod,
          status: r.statusCode,
          type: r.resourceType().name(),
          startMs: r.startTime * 1000,
          endMs: r.endTime * 1000,
          receiveHeadersEndMs: r.timing ? r.timing.receiveHeadersEnd : null,
          frames: r.frames().length,
          body: c && typeof c.text === 'string' ? c.text : null,
        });
      }
      return out;
    })(${JSON.stringify(har)})`;
    const imported = (await page.evaluate(script)) as Imported[];
    await page.close();

    expect(imported.map((r) => `${r.method} ${r.url} ${r.status}`)).toEqual(har.log.entries.map((e) => `${e.request.method} ${e.request.url} ${e.response.status}`));
    har.log.entries.forEach((e, i) => {
      const r = imported[i];
      expect(r.startMs).toBeCloseTo(Date.parse(e.startedDateTime), 0);
      expect(r.endMs - r.startMs).toBeCloseTo(e.time, 0);
      if (e._resourceType === 'websocket') {
        expect(r.type).toBe('websocket');
        expect(r.frames).toBe(e._webSocketMessages!.length);
      } else {
        expect(r.receiveHeadersEndMs).toBeCloseTo(e.timings.send + e.timings.wait, 0);
        expect(e.response.content.text).toBeTruthy();
        expect(r.body).toBe(e.response.content.text);
      }
    });
  });
});

// The web viewer's lane per subagent, in headless Chromium: a session with two subagents gets two
// more lanes, each drawing its subagent's requests, and a click there selects the request.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import type { SessionRecord } from '../../format/types.js';
import { encodeTrace } from '../factory/encode.js';
import { subagentSession } from '../factory/subagent-session.js';
import { openView, skipBrowser, type OpenView } from './helpers.js';

let opened: OpenView | undefined;
let page: Page;
let errors: string[];

describe.skipIf(skipBrowser)('subagent lanes in the web viewer', () => {
  beforeAll(async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lapse-threads-'));
    const trace = join(dir, 'subagents.lapse');
    const [session, ...rest] = subagentSession(true);
    writeFileSync(trace, encodeTrace(session as SessionRecord, rest));
    opened = await openView(trace);
    ({ page, errors } = opened);
  });

  afterAll(async () => {
    await opened?.close();
  });

  it('draws a lane per subagent and selects a request clicked there', async () => {
    const drawn = await page.evaluate(() => window.__lapse!.timeline!.drawn);
    // s1 and s3 on the first lane, s2 on the second.
    expect(drawn.thread).toBe(3);
    // The lanes sit below "side requests": s3 (1600–1700 ms) is only on its subagent's lane there.
    const at = await page.evaluate(() => {
      const t = window.__lapse!.timeline!;
      const side = t.pointAt('side', 1650);
      return { x: side.x, y: side.y + 16 + 5 };
    });
    await page.mouse.click(at.x, at.y);
    await page.waitForFunction(() => window.__lapse!.current!.state.selected === 's3', undefined, { timeout: 10_000 });
    expect(errors).toEqual([]);
  });
});

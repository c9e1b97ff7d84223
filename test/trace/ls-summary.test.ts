// `lapse ls` reads a finished trace's figures from the summary in its first frame, and nothing else.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { compactTrace, readTrace } from '../../format/index.js';

const bin = new URL('../../bin/lapse.js', import.meta.url).pathname;
const home = mkdtempSync(join(tmpdir(), 'lapse-ls-'));
afterAll(() => rmSync(home, { recursive: true, force: true }));

describe('lapse ls', () => {
  it('takes duration and requests from the summary, without reading past the first frame', () => {
    const original = new Uint8Array(readFileSync(new URL('../../fixtures/traces/anthropic.lapse', import.meta.url)));
    const records = readTrace(original).records;
    const compacted = compactTrace(original)!;
    // everything after the first frame overwritten: a reader that went there would see damage
    const headEnd = 8 + 9 + new DataView(compacted.buffer, compacted.byteOffset).getUint32(8, true);
    const spoiled = compacted.slice();
    spoiled.fill(0xee, headEnd);
    writeFileSync(join(home, 'spoiled.lapse'), spoiled);
    const r = spawnSync(process.execPath, [bin, 'ls', '--json'], { env: { ...process.env, LAPSE_HOME: home }, encoding: 'utf8' });
    expect(r.status).toBe(0);
    const [row] = JSON.parse(r.stdout);
    const lastT = Math.max(...records.map((x) => x.t));
    const requests = records.filter((x) => x.kind === 'http-request' || (x.kind === 'ws-message' && x.dir === 'up')).length;
    expect(row).toMatchObject({ name: 'spoiled.lapse', durationMs: lastT / 1000, requests, truncated: false, harness: expect.anything() });
    expect(requests).toBeGreaterThan(0);
    // the full read does see the damage
    expect(readTrace(spoiled).truncated).toBe(true);
  });
});

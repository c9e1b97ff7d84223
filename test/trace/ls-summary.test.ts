// `lapse ls` reads a finished trace's figures from the summary in its first frame, and nothing else;
// its request count is the one `lapse stats` lists (the analysis' exchanges), also for traces whose
// summary predates that count (then it counts the records itself).
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { compactTrace, readTrace } from '../../format/index.js';
import { RequestCounter } from '../../analysis/request-count.js';
import { readHead } from '../../cli/trace/load.js';
import { recordScripted } from '../e2e/record-scripted.js';
import { writeSession } from '../factory/mixed-session.js';

const bin = new URL('../../bin/lapse.js', import.meta.url).pathname;
const fixture = (name: string) => new URL(`../../fixtures/traces/${name}`, import.meta.url).pathname;
const homes: string[] = [];
afterAll(() => homes.forEach((h) => rmSync(h, { recursive: true, force: true })));

function lapse(home: string, args: string[]): string {
  const r = spawnSync(process.execPath, [bin, ...args], { env: { ...process.env, LAPSE_HOME: home }, encoding: 'utf8' });
  expect(r.status, r.stderr).toBe(0);
  return r.stdout;
}

/** `ls --json` of a directory holding only this trace, and `stats --json` of the same file. */
function lsAndStats(trace: string): { ls: { requests: number | null; durationMs: number | null; truncated: boolean | null }; stats: { requests: { id: string; transport: string; status: string }[]; durationMs: number } } {
  const home = mkdtempSync(join(tmpdir(), 'lapse-ls-'));
  homes.push(home);
  const copy = join(home, 'session.lapse');
  copyFileSync(trace, copy);
  const [ls] = JSON.parse(lapse(home, ['ls', '--json']));
  return { ls, stats: JSON.parse(lapse(home, ['stats', copy, '--json'])) };
}

/** The trace compacted without a counter, as lapse did before the summary carried `requests`. */
function compactedWithoutCount(trace: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'lapse-ls-old-'));
  homes.push(dir);
  const out = join(dir, 'old.lapse');
  writeFileSync(out, compactTrace(new Uint8Array(readFileSync(trace)))!);
  return out;
}

describe('lapse ls', () => {
  it('takes duration and requests from the summary, without reading past the first frame', () => {
    const original = new Uint8Array(readFileSync(fixture('anthropic.lapse')));
    const records = readTrace(original).records;
    const compacted = compactTrace(original, new RequestCounter())!;
    const stats = lsAndStats(fixture('anthropic.lapse')).stats;
    // everything after the first frame overwritten: a reader that went there would see damage
    const headEnd = 8 + 9 + new DataView(compacted.buffer, compacted.byteOffset).getUint32(8, true);
    const spoiled = compacted.slice();
    spoiled.fill(0xee, headEnd);
    const home = mkdtempSync(join(tmpdir(), 'lapse-ls-'));
    homes.push(home);
    writeFileSync(join(home, 'spoiled.lapse'), spoiled);
    const [row] = JSON.parse(lapse(home, ['ls', '--json']));
    const lastT = Math.max(...records.map((x) => x.t));
    expect(row).toMatchObject({ name: 'spoiled.lapse', durationMs: lastT / 1000, requests: stats.requests.length, truncated: false, harness: expect.anything() });
    expect(stats.requests.length).toBeGreaterThan(0);
    // the full read does see the damage
    expect(readTrace(spoiled).truncated).toBe(true);
  });

  it.each(['faults.lapse', 'openai-ws.lapse'])('counts %s as stats does when its summary has no request count', (name) => {
    const old = compactedWithoutCount(fixture(name));
    expect(readHead(old).summary!.requests).toBeUndefined();
    const { ls, stats } = lsAndStats(old);
    expect(ls.requests).toBe(stats.requests.length);
    expect(ls.durationMs).toBe(stats.durationMs);
  });

  it('counts model requests, not every request and client frame, with or without a summary', () => {
    // A 529 retry, a title side call, GET /v1/models, a Responses WebSocket with a binary frame.
    const dir = mkdtempSync(join(tmpdir(), 'lapse-ls-mixed-'));
    homes.push(dir);
    const plain = join(dir, 'mixed.lapse');
    writeSession(plain);
    const withCount = join(dir, 'mixed-counted.lapse');
    writeFileSync(withCount, compactTrace(new Uint8Array(readFileSync(plain)), new RequestCounter())!);
    const old = compactedWithoutCount(plain);
    const stats = lsAndStats(plain).stats;
    for (const trace of [plain, withCount, old]) expect(lsAndStats(trace).ls.requests, trace).toBe(stats.requests.length);
    expect(readHead(withCount).summary!.requests).toBe(stats.requests.length);
    // what ls used to add up from the summary's raw figures counts GET /v1/models too
    const raw = readHead(old).summary!;
    expect(raw.httpRequests + raw.wsMessagesUp).toBeGreaterThan(stats.requests.length);
  });

  // Recorded for real: retries (a 529 the SDK sends again, a cancelled and a failed stream sent
  // again), the title side call, and Responses over a WebSocket (a warm-up and one turn per response).
  it.each([
    { protocol: 'anthropic' as const, agentArgs: ['--fault', 'overloaded@2', '--abort-after-ms', '240', '--abort-at', '4', '--fault', 'stream-error:12@5'] },
    { protocol: 'openai-ws' as const, agentArgs: [] },
  ])('a trace $protocol the recorder wrote: ls and stats give the same request count', async ({ protocol, agentArgs }) => {
    let seen: ReturnType<typeof lsAndStats> | null = null;
    let summary: ReturnType<typeof readHead>['summary'] = null;
    await recordScripted({
      protocol,
      ttftMs: 50,
      tokensPerSecond: 400,
      thinkMs: 100,
      testRunMs: 100,
      agentArgs,
      withTrace: (trace) => {
        summary = readHead(trace).summary;
        seen = lsAndStats(trace);
      },
    });
    const { ls, stats } = seen!;
    expect(summary!.requests).toBe(stats.requests.length); // written by the recorder at compaction
    expect(ls.requests).toBe(stats.requests.length);
    if (protocol === 'openai-ws') expect(stats.requests.some((r) => r.transport === 'websocket')).toBe(true);
    else expect(stats.requests.filter((r) => r.status !== 'complete').length).toBeGreaterThanOrEqual(2);
  }, 90_000);
});

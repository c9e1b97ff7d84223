// A session recorded for real (SDK clients through the recording proxy, scripted endpoint upstream),
// replayed to the same SDK clients: same answers, same bytes, the endpoint never contacted again.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { analyseTrace, resolveProfile, simulate } from '../../analysis/index.js';
import { loadTrace } from '../../cli/trace/load.js';
import { buildCassette } from '../../cli/replay/cassette.js';
import { TraceOut } from '../../cli/replay/trace-out.js';
import { anthropicClient, dir, record, replay, runAgent, type AgentResult, type Recorded, type Urls } from './helpers.js';

const CHAT_BODY = JSON.stringify({ model: 'gpt-test', stream: true, messages: [{ role: 'user', content: 'Say hello (raw).' }] });

async function rawChat(urls: Urls): Promise<{ status: number; type: string | null; text: string; ttftMs: number }> {
  const t0 = performance.now();
  const res = await fetch(`${urls.openai}/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: 'Bearer sk-x' }, body: CHAT_BODY });
  const reader = res.body!.getReader();
  let text = '';
  let ttftMs = -1;
  const dec = new TextDecoder();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    text += dec.decode(value, { stream: true });
    if (ttftMs < 0 && text.includes('"content":"')) ttftMs = performance.now() - t0;
  }
  return { status: res.status, type: res.headers.get('content-type'), text, ttftMs };
}

describe('replay to the official SDK clients', () => {
  let rec: Recorded<{ agent: AgentResult; raw: Awaited<ReturnType<typeof rawChat>> }>;

  beforeAll(async () => {
    rec = await record('sdk', async (urls) => ({ agent: await runAgent(urls, { workdir: '/tmp/work-a1b2c3', toolMs: 80 }), raw: await rawChat(urls) }));
  });
  afterAll(() => rec?.model.close());

  it('gives the same answers to a slightly different run, without contacting the endpoint', async () => {
    const before = rec.model.stats().requests;
    const r = await replay(rec.path, { kind: 'instant' });
    try {
      const again = await runAgent(r.urls, { workdir: '/tmp/work-x9y8z7', toolMs: 0 });
      expect(again.answers).toEqual(rec.result.agent.answers);
      const s = r.server.summary();
      expect(s.served).toBe(5); // title, 2 messages, chat, responses (the raw chat stays unplayed)
      expect(s.unplayed).toHaveLength(1);
      expect(s.refused).toBe(0);
      expect(s.mismatched).toBe(0);
    } finally {
      await r.server.close();
    }
    expect(rec.model.stats().requests).toBe(before);
    // one log line per served request, naming the recording it came from
    expect(r.lines.filter((l) => / ← r\d+/.test(l))).toHaveLength(5);
  });

  it('serves the recorded bytes exactly: status, content type, body', async () => {
    const r = await replay(rec.path, { kind: 'instant' });
    try {
      const got = await rawChat(r.urls);
      expect(got.status).toBe(rec.result.raw.status);
      expect(got.type).toBe(rec.result.raw.type);
      expect(got.text).toBe(rec.result.raw.text);
      expect(got.text.endsWith('data: [DONE]\n\n')).toBe(true);
    } finally {
      await r.server.close();
    }
  });

  it('paces as recorded, and --speed divides every wait (0.25: four times slower)', async () => {
    const cassette = buildCassette(loadTrace(rec.path));
    const x = cassette.http.at(-1)!; // the raw chat, after the agent's requests
    const recordedTtft = x.timing.firstContentMs! - x.startMs;
    const recordedTotal = x.endMs - x.startMs;
    expect(recordedTtft).toBeGreaterThan(40); // the endpoint's 60 ms TTFT, seen through the proxy
    // Never early; late only by scheduling noise (generous: the test machine is shared and loaded).
    for (const speed of [1, 0.25]) {
      const r = await replay(rec.path, { kind: 'recorded', speed });
      try {
        const t0 = performance.now();
        const got = await rawChat(r.urls);
        const total = performance.now() - t0;
        expect(got.text).toBe(rec.result.raw.text);
        expect(got.ttftMs).toBeGreaterThan(recordedTtft / speed - 5);
        expect(got.ttftMs).toBeLessThan(recordedTtft / speed + 250);
        expect(total).toBeGreaterThan(recordedTotal / speed - 5);
        expect(total).toBeLessThan(recordedTotal / speed + 250);
      } finally {
        await r.server.close();
      }
    }
  });

  it('with the spark profile finishes faster by about the margin simulate predicts', async () => {
    // Its own recording, slow enough that the saving stands well above scheduling noise.
    const slow = await record('spark', (urls) => runAgent(urls, { workdir: '/tmp/work-s1', toolMs: 80 }), { ttftMs: 150, tokensPerSecond: 100 });
    await slow.model.close();
    const profile = resolveProfile('spark')!;
    const sim = simulate(analyseTrace(loadTrace(slow.path)), profile);
    // Harness, tool and user time stay as they are: the saving is all model time on the critical path.
    const predicted = sim.original.durationMs - sim.simulated.durationMs;
    expect(predicted).toBeGreaterThan(400);
    // The same run replayed at the recorded pace and at spark's, each recording what it served
    // (--record-to): the model time on its critical path, as served, apart from the client's own time.
    const run = async (pacing: Parameters<typeof replay>[1], name: string): Promise<AgentResult & { modelMs: number; ownMs: number }> => {
      const served = join(mkdtempSync(join(dir, 'served-')), `${name}.lapse`); // a retry's own: traces are never overwritten
      const r = await replay(slow.path, pacing, { out: new TraceOut({ path: served, argv: ['replay-test', name], cwd: dir, source: slow.path }) });
      let a: AgentResult;
      try {
        a = await runAgent(r.urls, { workdir: '/tmp/work-s2', toolMs: 80 });
      } finally {
        await r.server.close();
      }
      const m = analyseTrace(loadTrace(served));
      const modelMs = m.breakdown.modelWaitMs + m.breakdown.modelStreamMs;
      return { ...a, modelMs, ownMs: m.durationMs - modelMs };
    };
    const asRecorded = await run({ kind: 'recorded', speed: 1 }, 'as-recorded');
    const spark = await run({ kind: 'profile', profile }, 'spark');
    expect(spark.answers).toEqual(slow.result.answers);
    expect(asRecorded.answers).toEqual(slow.result.answers);
    // The model time saved is what simulate predicts (the gaps are the same in both of its layouts).
    const saving = asRecorded.modelMs - spark.modelMs;
    expect(saving).toBeGreaterThan(predicted * 0.6);
    expect(saving).toBeLessThan(predicted * 1.4 + 100);
    // The spark run serves the model time simulate gives the path (never less: every piece is sent at
    // its planned time or late), and lasts that plus its own client time (the tool sleep, the SDK's
    // work). Not simulate's whole duration: that keeps the recording's client time, and a stall of
    // the loaded machine in it (once 380 ms in the 80 ms tool gap, 870 ms predicted, 782 ms replayed)
    // belongs to that run; a new run has its own.
    const simModel = sim.simulated.breakdown.modelWaitMs + sim.simulated.breakdown.modelStreamMs;
    expect(spark.modelMs).toBeGreaterThan(simModel - 5);
    expect(spark.modelMs).toBeLessThan(simModel * 1.5 + 150);
    expect(spark.ms).toBeGreaterThan(simModel + spark.ownMs - 5);
    expect(spark.ms).toBeLessThan((simModel + spark.ownMs) * 1.5 + 150);
  });

  it('stops playing when the client goes away mid-response', async () => {
    const r = await replay(rec.path, { kind: 'recorded', speed: 0.1 });
    try {
      const ac = new AbortController();
      const res = await fetch(`${r.urls.openai}/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: CHAT_BODY, signal: ac.signal });
      expect(res.status).toBe(200);
      ac.abort();
      const deadline = performance.now() + 3000;
      while (r.server.summary().aborted === 0 && performance.now() < deadline) await new Promise((x) => setTimeout(x, 20));
      expect(r.server.summary().aborted).toBe(1);
      expect(r.lines.some((l) => l.includes('client went away'))).toBe(true);
    } finally {
      await r.server.close();
    }
  });

  it('--strict answers a request unlike any recording with 409 naming the closest', async () => {
    const r = await replay(rec.path, { kind: 'instant' }, { strict: true });
    try {
      // A close re-run is served in full under --strict…
      const again = await runAgent(r.urls, { workdir: '/tmp/work-q1w2e3', toolMs: 0 });
      expect(again.answers).toEqual(rec.result.agent.answers);
      // …a different conversation is refused.
      const res = await fetch(`${r.urls.anthropic}/v1/messages`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'claude-test', max_tokens: 10, stream: true, messages: [{ role: 'user', content: 'Something else entirely: write a poem about autumn leaves.' }, { role: 'assistant', content: 'ok' }, { role: 'user', content: 'longer please' }] }),
      });
      expect(res.status).toBe(409);
      const body = (await res.json()) as { type: string; error: { type: string; message: string; closest: { id: string; path: string; similarity: number } } };
      expect(body.type).toBe('error');
      expect(body.error.type).toBe('replay_mismatch');
      expect(body.error.closest.id).toMatch(/^r\d+$/);
      expect(body.error.closest.path).toContain('/v1/messages');
      expect(body.error.closest.similarity).toBeLessThan(0.8);
      // The SDK surfaces it as an API error with that status.
      await expect(anthropicClient(r.urls).messages.create({ model: 'claude-test', max_tokens: 10, messages: [{ role: 'user', content: 'unrelated' }] })).rejects.toMatchObject({ status: 409 });
      expect(r.server.summary().refused).toBe(2);
    } finally {
      await r.server.close();
    }
  });

  it('by default serves the closest recording to a mismatch, and warns', async () => {
    const r = await replay(rec.path, { kind: 'instant' });
    try {
      const msg = await anthropicClient(r.urls).messages.create({ model: 'claude-test', max_tokens: 10, messages: [{ role: 'user', content: 'unrelated' }] });
      expect(msg.type).toBe('message');
      expect(r.lines.some((l) => l.includes('warning') && l.includes('serving it anyway'))).toBe(true);
      const res = await fetch(`${r.server.url}/v1/embeddings`, { method: 'POST', body: '{}' });
      expect(res.status).toBe(404);
    } finally {
      await r.server.close();
    }
  });
});


// The Google Gen AI SDK through a real recording session (trace file on disk) against the scripted
// endpoint's Gemini API: routing, the decoder's figures against the endpoint's own log, redaction.
import { GoogleGenAI } from '@google/genai';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { analyseTrace, statsJson } from '../../analysis/index.js';
import { memoryLog } from '../../cli/record/log.js';
import { startSession } from '../../cli/record/session.js';
import { startModelServer } from '../../cli/model/server.js';
import type { ScriptStep } from '../../cli/model/script.js';
import { loadTrace } from '../../cli/trace/load.js';

const KEY = 'AIzaSyD-lapse-test-key-0123456789abcdef';
const dir = mkdtempSync(join(tmpdir(), 'lapse-gemini-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const STEPS: ScriptStep[] = [
  { thinking: 'Look at the file first.', text: 'Reading it.', toolCalls: [{ name: 'read_file', arguments: { path: 'src/a.js' } }] },
  { text: 'The file is fine as it is.' },
];
const TOOLS = [{ functionDeclarations: [{ name: 'read_file', parametersJsonSchema: { type: 'object', properties: { path: { type: 'string' } } } }] }];

describe('Gemini API through lapse', () => {
  it('records streamGenerateContent and generateContent; stats reads protocol, tools, thinking and usage as the endpoint sent them; no key on disk', async () => {
    const model = await startModelServer({ ttftMs: 60, tokensPerSecond: 400, seed: 3, script: STEPS });
    const tracePath = join(dir, 'gemini.lapse');
    const session = await startSession({
      output: tracePath,
      harness: 'gemini',
      argv: ['gemini'],
      geminiUpstream: model.url,
      anthropicUpstream: 'http://127.0.0.1:9',
      openaiUpstream: 'http://127.0.0.1:9/v1',
      watch: false,
      redact: true,
      defaultApi: 'gemini',
      log: memoryLog(),
      env: {},
    });
    try {
      const ai = new GoogleGenAI({ apiKey: KEY, httpOptions: { baseUrl: session.proxy.urls.gemini } });
      const chunks = [];
      const stream = await ai.models.generateContentStream({ model: 'gemini-2.5-pro', contents: 'check a.js', config: { tools: TOOLS, thinkingConfig: { includeThoughts: true } } });
      for await (const c of stream) chunks.push(c);
      const call = chunks.flatMap((c) => c.functionCalls ?? [])[0];
      expect(call).toMatchObject({ name: 'read_file', args: { path: 'src/a.js' } });
      const answer = await ai.models.generateContent({
        model: 'gemini-2.5-pro',
        config: { tools: TOOLS },
        contents: [
          { role: 'user', parts: [{ text: 'check a.js' }] },
          { role: 'model', parts: [{ functionCall: call }] },
          { role: 'user', parts: [{ functionResponse: { id: call.id, name: call.name, response: { output: 'ok' } } }] },
        ],
      });
      expect(answer.text).toBe('The file is fine as it is.');
      // the key in the query instead of the header, on a path without the version prefix
      const viaQuery = await fetch(`${session.proxy.urls.gemini}/models/gemini-2.5-flash:generateContent?key=${KEY}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ contents: [{ role: 'user', parts: [{ text: 'hi' }] }] }),
      });
      expect(viaQuery.status).toBe(200);
    } finally {
      await session.finish('test over');
      await model.close();
    }
    const endpoint = model.stats().log.filter((e) => e.protocol === 'gemini');
    expect(endpoint).toHaveLength(3);
    const model0 = analyseTrace(loadTrace(tracePath));
    const stats = statsJson(model0);
    expect(stats.requests.map((r) => [r.protocol, r.transport, r.status])).toEqual([
      ['gemini-generate-content', 'http', 'complete'],
      ['gemini-generate-content', 'http', 'complete'],
      ['gemini-generate-content', 'http', 'complete'],
    ]);
    const [r1, r2] = stats.requests;
    expect(r1.toolCalls).toEqual(['read_file']);
    expect(r1.model).toBe('gemini-2.5-pro');
    expect(r1.outputTokens).toBe(endpoint[0].outputTokens);
    expect(r2.outputTokens).toBe(endpoint[1].outputTokens);
    expect(r1.inputTokens).toBeGreaterThan(0);
    // TTFT: the first content chunk (the thought part), never before the endpoint sent it (its own clock);
    // the tolerance of the figures is the real-harness suite's business (test/harness/)
    const sentTtft = endpoint[0].firstContentAt! - endpoint[0].arrivedAt;
    expect(r1.ttftMs!).toBeGreaterThanOrEqual(sentTtft - 1);
    // the second request answers the first one's call
    expect([model0.requests[1].dependsOn, model0.requests[1].dependency]).toEqual([r1.id, 'tool-result']);
    // the thought part is thinking, the function call its own block
    expect(model0.requests[0].deltas.toArray().map((d) => d.kind)[0]).toBe('thinking');
    const bytes = readFileSync(tracePath);
    expect(bytes.includes(Buffer.from(KEY))).toBe(false);
    expect(bytes.includes(Buffer.from(KEY.slice(4, 20)))).toBe(false);
    const urls = loadTrace(tracePath).records.flatMap((r) => (r.kind === 'http-request' ? [r.url] : []));
    expect(urls[0]).toMatch(/^\/v1(beta)?\/models\/gemini-2\.5-pro:streamGenerateContent\?alt=sse$/);
    expect(urls[2]).toMatch(/^\/models\/gemini-2\.5-flash:generateContent\?key=%5Bredacted%3A[0-9a-f]{8}%5D$/);
  });
  it('routes Gemini Code Assist (/v1internal:…, an OAuth bearer token) to its own upstream and decodes its {response} wrapper as the Gemini protocol; no token on disk', async () => {
    const TOKEN = 'ya29.a0AfB_lapseCodeAssistTestToken0123456789abcdef';
    const model = await startModelServer({ ttftMs: 60, tokensPerSecond: 400, seed: 5, script: STEPS });
    const tracePath = join(dir, 'code-assist.lapse');
    const session = await startSession({
      output: tracePath,
      harness: 'gemini',
      argv: ['gemini'],
      // the Gemini API upstream is dead: only the Code Assist upstream can answer
      geminiUpstream: 'http://127.0.0.1:9',
      codeAssistUpstream: model.url,
      anthropicUpstream: 'http://127.0.0.1:9',
      openaiUpstream: 'http://127.0.0.1:9/v1',
      watch: false,
      redact: true,
      defaultApi: 'gemini',
      log: memoryLog(),
      env: {},
    });
    const post = (method: string, query: string, request: unknown) =>
      fetch(`${session.proxy.urls.codeAssist}/v1internal:${method}${query}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` },
        body: JSON.stringify({ model: 'gemini-2.5-pro', project: 'lapse-test-project', user_prompt_id: 'p1', request }),
      });
    let chunks: Record<string, unknown>[];
    try {
      const r1 = await post('streamGenerateContent', '?alt=sse', { contents: [{ role: 'user', parts: [{ text: 'check a.js' }] }], tools: TOOLS, generationConfig: { thinkingConfig: { includeThoughts: true } } });
      expect(r1.status).toBe(200);
      chunks = (await r1.text()).split('\n').filter((l) => l.startsWith('data: ')).map((l) => JSON.parse(l.slice(6)) as Record<string, unknown>);
      const r2 = await post('generateContent', '', { contents: [{ role: 'user', parts: [{ text: 'check a.js' }] }] });
      expect(r2.status).toBe(200);
      expect(Object.keys((await r2.json()) as object)).toEqual(['response']);
    } finally {
      await session.finish('test over');
      await model.close();
    }
    // each chunk is a GenerateContentResponse inside {response}, as Code Assist sends them
    expect(chunks.length).toBeGreaterThan(3);
    expect(chunks.every((c) => Object.keys(c).join() === 'response')).toBe(true);
    const endpoint = model.stats().log.filter((e) => e.protocol === 'gemini');
    expect(endpoint.map((e) => e.path)).toEqual(['/v1internal:streamGenerateContent', '/v1internal:generateContent']);
    const stats = statsJson(analyseTrace(loadTrace(tracePath)));
    expect(stats.requests.map((r) => [r.protocol, r.transport, r.status, r.model])).toEqual([
      ['gemini-generate-content', 'http', 'complete', 'gemini-2.5-pro'],
      ['gemini-generate-content', 'http', 'complete', 'gemini-2.5-pro'],
    ]);
    expect(stats.requests[0].toolCalls).toEqual(['read_file']);
    expect(stats.requests.map((r) => r.outputTokens)).toEqual(endpoint.map((e) => e.outputTokens));
    expect(loadTrace(tracePath).records.find((r) => r.kind === 'session')).toMatchObject({ upstreams: { codeAssist: model.url } });
    const bytes = readFileSync(tracePath);
    expect(bytes.includes(Buffer.from(TOKEN))).toBe(false);
    expect(bytes.includes(Buffer.from(TOKEN.slice(10, 30)))).toBe(false);
  });
});

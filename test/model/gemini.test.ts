import { GoogleGenAI } from '@google/genai';
import { describe, expect, it } from 'vitest';
import { defaultScript } from '../../cli/model/script.js';
import { HELLO_FILE, HELLO_OUTPUT } from '../../cli/model/harness-script.js';
import { TWO_STEPS, parseSse, post, server } from './helpers.js';

const TOOLS = [{ functionDeclarations: [{ name: 'read_file', description: 'Read a file', parametersJsonSchema: { type: 'object', properties: { path: { type: 'string' } } } }] }];

describe('Gemini API', async () => {
  const s = await server({ script: TWO_STEPS });
  // the official SDK, pointed at the endpoint as GOOGLE_GEMINI_BASE_URL would point it
  const ai = new GoogleGenAI({ apiKey: 'AIza-test-key', httpOptions: { baseUrl: s.url } });

  it('streams text and function calls that the SDK reads, with usage equal to the content chunks sent', async () => {
    const chunks = [];
    for await (const c of await ai.models.generateContentStream({ model: 'gemini-2.5-pro', contents: 'fix it', config: { tools: TOOLS } })) chunks.push(c);
    const text = chunks.map((c) => c.text ?? '').join('');
    expect(text).toBe('Let me look at both files.');
    const calls = chunks.flatMap((c) => c.functionCalls ?? []);
    expect(calls.map((c) => [c.name, c.args])).toEqual([
      ['read_file', { path: 'src/math.js' }],
      ['read_file', { path: 'test/math.test.js', lines: [1, 20] }],
    ]);
    const last = chunks.at(-1)!;
    expect(last.candidates![0].finishReason).toBe('STOP');
    const logged = s.stats().log.at(-1)!;
    expect(logged).toMatchObject({ protocol: 'gemini', stream: true, status: 'complete' });
    expect(last.usageMetadata!.candidatesTokenCount).toBe(logged.outputTokens);
    expect(last.usageMetadata!.promptTokenCount).toBeGreaterThan(0);

    // the next request answers the calls with functionResponse parts: the script moves on
    const next = await ai.models.generateContent({
      model: 'gemini-2.5-pro',
      config: { tools: TOOLS },
      contents: [
        { role: 'user', parts: [{ text: 'fix it' }] },
        { role: 'model', parts: calls.map((c) => ({ functionCall: c })) },
        { role: 'user', parts: calls.map((c) => ({ functionResponse: { id: c.id, name: c.name, response: { output: 'file text' } } })) },
      ],
    });
    expect(next.text).toBe('All done: the add function now adds.');
    expect(s.stats().log.at(-1)).toMatchObject({ protocol: 'gemini', stream: false, status: 'complete' });
  });

  it('sends one GenerateContentResponse per data line, no [DONE], the last with finishReason and usageMetadata', async () => {
    const res = await post(s, '/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse', { contents: [{ role: 'user', parts: [{ text: 'go' }] }] }, { 'x-goog-api-key': 'k' });
    expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const events = parseSse(await res.text());
    expect(events.every((e) => e.event === undefined && e.json && Array.isArray(e.json.candidates))).toBe(true);
    const last = events.at(-1)!.json;
    expect(last.candidates[0].finishReason).toBe('STOP');
    const content = events.filter((e) => e.json.candidates[0].content.parts.some((p: { text?: string; functionCall?: unknown }) => p.text || p.functionCall));
    expect(last.usageMetadata.candidatesTokenCount).toBe(content.length);
    expect(last.modelVersion).toBe('gemini-2.5-flash');
    // without alt=sse the stream method answers one JSON array
    const whole = await post(s, '/v1beta/models/gemini-2.5-flash:streamGenerateContent', { contents: [{ role: 'user', parts: [{ text: 'go' }] }] });
    const arr = (await whole.json()) as Array<{ candidates: unknown[] }>;
    expect(Array.isArray(arr) && arr.length === 1 && arr[0].candidates.length === 1).toBe(true);
  });

  it('answers countTokens, structured-output side requests with JSON that fits the schema, and errors in Gemini’s shape', async () => {
    const count = await ai.models.countTokens({ model: 'gemini-2.5-pro', contents: 'how many tokens is this' });
    expect(count.totalTokens).toBeGreaterThan(0);
    const json = await ai.models.generateContent({
      model: 'gemini-2.5-flash-lite',
      contents: 'route this',
      config: { responseMimeType: 'application/json', responseJsonSchema: { type: 'object', properties: { reasoning: { type: 'string' }, model_choice: { type: 'string', enum: ['flash', 'pro'] } }, required: ['reasoning', 'model_choice'] } },
    });
    expect(JSON.parse(json.text!)).toEqual({ reasoning: 'lapse scripted answer', model_choice: 'flash' });
    const bad = await post(s, '/v1beta/models/g:generateContent', { contents: [] }, { 'x-lapse-fault': 'rate-limit' });
    expect(bad.status).toBe(429);
    expect(await bad.json()).toEqual({ error: { code: 429, message: expect.any(String), status: 'RESOURCE_EXHAUSTED' } });
  });

  it('plays the harness session with the tools Gemini CLI offers (write_file, run_shell_command), in its working directory', async () => {
    const h = await server({ script: defaultScript });
    const client = new GoogleGenAI({ apiKey: 'AIza-test-key', httpOptions: { baseUrl: h.url } });
    const tools = [
      {
        functionDeclarations: [
          { name: 'write_file', parametersJsonSchema: { type: 'object', properties: { file_path: { type: 'string' }, content: { type: 'string' } }, required: ['file_path', 'content'] } },
          { name: 'run_shell_command', parametersJsonSchema: { type: 'object', properties: { command: { type: 'string' }, description: { type: 'string' } }, required: ['command'] } },
        ],
      },
    ];
    const first = { role: 'user', parts: [{ text: "I'm currently working in the directory: /tmp/project\nsay hi" }] };
    const r1 = await client.models.generateContent({ model: 'gemini-2.5-pro', contents: [first], config: { tools } });
    expect(r1.functionCalls!.map((c) => [c.name, c.args])).toEqual([['write_file', { file_path: `/tmp/project/${HELLO_FILE}`, content: `console.log('${HELLO_OUTPUT}');\n` }]]);
    const c1 = r1.functionCalls![0];
    const r2 = await client.models.generateContent({
      model: 'gemini-2.5-pro',
      config: { tools },
      contents: [first, { role: 'model', parts: [{ functionCall: c1 }] }, { role: 'user', parts: [{ functionResponse: { id: c1.id, name: c1.name, response: { output: 'ok' } } }] }],
    });
    expect(r2.functionCalls!.map((c) => [c.name, c.args])).toEqual([['run_shell_command', { command: `node ${HELLO_FILE}` }]]);
  });

  it("answers Code Assist's account calls as an onboarded user with a project, and logs them as account calls", async () => {
    const load = await post(s, '/v1internal:loadCodeAssist', { metadata: { ideType: 'IDE_UNSPECIFIED', pluginType: 'GEMINI' } });
    expect(load.status).toBe(200);
    const body = (await load.json()) as { currentTier: { id: string; hasOnboardedPreviously: boolean }; cloudaicompanionProject: string };
    expect(body.currentTier.hasOnboardedPreviously).toBe(true);
    expect(body.cloudaicompanionProject).toMatch(/\S/);
    expect(s.stats().log.at(-1)).toMatchObject({ path: '/v1/v1internal:loadCodeAssist', protocol: 'account', status: 'complete' });
    expect((await (await post(s, '/v1internal:retrieveUserQuota', {})).json())).toEqual({ buckets: [] });
    // a method it does not know is still a 404
    expect((await post(s, '/v1internal:noSuchMethod', {})).status).toBe(404);
  });
});

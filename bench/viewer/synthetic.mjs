// A synthetic agent session, shaped like a Claude Code run over the Anthropic Messages API, written as a
// real trace with the real encoder. Used by the viewer tests (small) and the viewer bench (1M events).
// Shape per step: a harness gap, a streamed answer (TTFT, text deltas at a set rate, one tool call with
// streamed arguments, usage in message_delta), then the tool's run time; Edit/Write steps change a file
// mid-gap. Every `turnEvery` steps the answer ends the turn and a person pauses before the next prompt.
// A title side request overlaps the first step. Imports the compiled format from dist/ (build first).
import { TraceEncoder } from '../../dist/format/index.js';

const te = new TextEncoder();

function rng(seed) {
  let s = seed >>> 0 || 1;
  return () => ((s = (Math.imul(s, 1103515245) + 12345) >>> 0) / 0x100000000);
}

const WORDS = 'the a test parser fails because token stream index offset buffer returns null when input ends early so we check length first and add a guard then run tests again'.split(' ');

/**
 * `prompt2`: the text of the second user prompt (tests put markup in it: it must show as text).
 * @param {{ steps?: number, tokensPerStep?: number, tokensPerSecond?: number, ttftMs?: number, turnEvery?: number, seed?: number, perFrame?: number, prompt2?: string }} o
 * @returns {{ bytes: Uint8Array, events: number, records: number, steps: number }}
 */
export function syntheticTrace(o = {}) {
  const steps = o.steps ?? 6;
  const tokensPerStep = o.tokensPerStep ?? 60;
  const tps = o.tokensPerSecond ?? 80;
  const ttftMs = o.ttftMs ?? 600;
  const turnEvery = o.turnEvery ?? 3;
  const perFrame = o.perFrame ?? 8;
  const rand = rng(o.seed ?? 7);
  const word = () => WORDS[Math.floor(rand() * WORDS.length)];
  const enc = new TraceEncoder({ redact: true });
  const frames = [
    enc.encodeHeader({ kind: 'session', t: 0, formatVersion: { major: 1, minor: 0 }, lapseVersion: 'synthetic', startedAt: 1_750_000_000_000, argv: ['claude', '-p', 'fix the parser test'], cwd: '/work/demo', harness: 'claude', upstreams: { anthropic: 'https://api.anthropic.com', openai: 'https://api.openai.com/v1' }, redacted: true }),
  ];
  let batch = [];
  let records = 1;
  let events = 0;
  const put = (rec) => {
    batch.push(enc.encode(rec));
    records++;
    if (batch.length >= perFrame) flush();
  };
  const flush = () => {
    if (batch.length) frames.push(enc.frame(batch));
    batch = [];
  };
  const us = (ms) => Math.round(ms * 1000);
  const headers = { 'content-type': 'application/json', 'x-api-key': 'sk-ant-api03-' + 'Q'.repeat(60), 'anthropic-version': '2023-06-01', 'user-agent': 'claude-cli/2.0.0' };
  const system = [{ type: 'text', text: 'You are Claude Code, a coding agent. ' + Array.from({ length: 300 }, word).join(' ') }];
  const tools = ['Read', 'Edit', 'Bash', 'Write', 'Grep'].map((name) => ({ name, description: `${name} tool`, input_schema: { type: 'object', properties: { path: { type: 'string' } } } }));
  const messages = [{ role: 'user', content: [{ type: 'text', text: 'The test in src/parser.test.ts fails; find out why and fix it.' }] }];

  /** One streamed Anthropic exchange; returns its end time (ms) and what it said. */
  function exchange(id, startMs, body, answer) {
    put({ kind: 'http-request', t: us(startMs), id, method: 'POST', url: '/v1/messages?beta=true', upstream: 'https://api.anthropic.com', headers, body: { enc: 'bytes', bytes: te.encode(JSON.stringify(body)) } });
    let t = startMs + answer.ttftMs * 0.9;
    put({ kind: 'http-response', t: us(t), id, status: 200, statusText: 'OK', headers: { 'content-type': 'text/event-stream', 'request-id': `req_${id}` }, decoded: false });
    const sse = (name, data) => {
      put({ kind: 'http-data', t: us(t), id, sse: { form: 'raw', text: `event: ${name}\ndata: ${JSON.stringify(data)}\n\n` } });
      events++;
    };
    sse('message_start', { type: 'message_start', message: { id: `msg_${id}`, type: 'message', role: 'assistant', model: 'claude-sonnet-4-5', content: [], stop_reason: null, usage: { input_tokens: 1200 + JSON.stringify(body).length / 4, output_tokens: 1 } } });
    sse('content_block_start', { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } });
    t = startMs + answer.ttftMs;
    let text = '';
    for (let k = 0; k < answer.tokens; k++) {
      const tok = (k ? ' ' : '') + word();
      text += tok;
      sse('content_block_delta', { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: tok } });
      t += (1000 / answer.tps) * (0.6 + rand() * 0.8);
    }
    sse('content_block_stop', { type: 'content_block_stop', index: 0 });
    let tool = null;
    if (answer.tool) {
      tool = { id: `toolu_${id}`, name: answer.tool, input: { path: answer.path } };
      sse('content_block_start', { type: 'content_block_start', index: 1, content_block: { type: 'tool_use', id: tool.id, name: tool.name, input: {} } });
      const args = JSON.stringify(tool.input);
      for (let k = 0; k < args.length; k += 8) {
        t += 1000 / answer.tps;
        sse('content_block_delta', { type: 'content_block_delta', index: 1, delta: { type: 'input_json_delta', partial_json: args.slice(k, k + 8) } });
      }
      sse('content_block_stop', { type: 'content_block_stop', index: 1 });
    }
    t += 5;
    sse('message_delta', { type: 'message_delta', delta: { stop_reason: tool ? 'tool_use' : 'end_turn', stop_sequence: null }, usage: { output_tokens: answer.tokens + (tool ? 12 : 0) } });
    sse('message_stop', { type: 'message_stop' });
    put({ kind: 'http-end', t: us(t), id, outcome: 'complete', bytes: 1000 });
    return { endMs: t, text, tool };
  }

  put({ kind: 'process-start', t: us(20), pid: 4242, argv: ['claude', '-p', 'fix the parser test'] });
  let now = 180;
  const files = ['src/parser.ts', 'src/lexer.ts', 'src/parser.test.ts', 'README.md'];
  for (let step = 0; step < steps; step++) {
    const endsTurn = (step + 1) % turnEvery === 0 || step === steps - 1;
    const toolName = endsTurn ? null : ['Read', 'Edit', 'Bash', 'Write', 'Grep'][step % 5];
    const path = files[step % files.length];
    const body = { model: 'claude-sonnet-4-5', max_tokens: 32000, system, tools, messages: structuredClone(messages), stream: true };
    if (step === 0) {
      // The title side request: small, overlapping the first step, off the critical path.
      const titleBody = { model: 'claude-haiku-4-5', max_tokens: 50, system: [{ type: 'text', text: 'Write a 5-word title.' }], messages: [messages[0]], stream: true };
      exchange('title', now + 30, titleBody, { ttftMs: 250, tokens: 6, tps: 150, tool: null });
    }
    const r = exchange(`r${step + 1}`, now, body, { ttftMs: ttftMs * (0.7 + rand() * 0.6), tokens: tokensPerStep, tps, tool: toolName, path });
    messages.push({ role: 'assistant', content: [{ type: 'text', text: r.text.slice(0, 200) }, ...(r.tool ? [{ type: 'tool_use', id: r.tool.id, name: r.tool.name, input: r.tool.input }] : [])] });
    if (r.tool) {
      const toolMs = r.tool.name === 'Bash' ? 3000 + rand() * 2000 : 300 + rand() * 900;
      if (r.tool.name === 'Edit' || r.tool.name === 'Write') {
        const n = step + 1;
        put({ kind: 'file', t: us(r.endMs + toolMs / 2), path, op: 'modify', diff: `--- a/${path}\n+++ b/${path}\n@@ -${n},3 +${n},4 @@\n export function parse(input: string) {\n-  const tok = next(input);\n+  if (input.length === 0) return null;\n+  const tok = next(input);\n   return tok;\n` });
      }
      messages.push({ role: 'user', content: [{ type: 'tool_result', tool_use_id: r.tool.id, content: `${r.tool.name} ok: ${path}\n` + Array.from({ length: 12 }, word).join(' ') }] });
      now = r.endMs + toolMs;
    } else {
      // The turn ended: the person reads and types the next prompt (after the last one, the harness exits).
      put({ kind: 'marker', t: us(r.endMs + 1), label: `turn ${Math.floor(step / turnEvery) + 1} done` });
      if (step === steps - 1) {
        now = r.endMs;
        break;
      }
      messages.push({ role: 'user', content: [{ type: 'text', text: step === turnEvery - 1 && o.prompt2 ? o.prompt2 : `Now also handle ${word()} ${word()} in ${path}.` }] });
      now = r.endMs + 8000 + rand() * 4000;
    }
    now += 40 + rand() * 120; // harness time before the next request
  }
  put({ kind: 'process-exit', t: us(now + 120), pid: 4242, code: 0, signal: null });
  flush();
  const total = frames.reduce((n, f) => n + f.length, 0);
  const bytes = new Uint8Array(total);
  let off = 0;
  for (const f of frames) (bytes.set(f, off), (off += f.length));
  return { bytes, events, records, steps };
}

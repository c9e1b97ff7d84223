// Builds a 20-step agent session shaped like Claude Code's and compares its wire bytes with its trace.
// Shape: a ~75 KB system prompt and tool list resent on every request; the history growing by each
// step's tool call and result; cache_control markers moving to the newest message; 100–300-token
// streamed answers (Anthropic SSE) ending in a tool call.
import { gzipSync, brotliCompressSync, deflateRawSync, constants as zc } from 'node:zlib';
import { execFileSync } from 'node:child_process';
import { zipfWords } from '../zipf.mjs';
import { TraceEncoder, readTrace, compactTrace } from '../../dist/format/index.js';
import { nodeBrotliEncode } from '../../dist/cli/trace/brotli.js';

let seed = 12345;
const rand = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
const pick = (a) => a[Math.floor(rand() * a.length)];
const word = zipfWords(rand, { size: 3000, minLetters: 2, maxLetters: 9, shape: (i, w) => (i % 7 === 0 ? w[0].toUpperCase() + w.slice(1) : w) });
const prose = (words) => Array.from({ length: words }, () => word()).join(' ') + '.';
const code = (lines) =>
  Array.from({ length: lines }, () => `  ${pick(['const', 'let', 'return', 'if (', 'await'])} ${word()}${pick(['(', ' = ', '.', ' + '])}${word()}${pick([');', ';', ' {', ''])}`).join('\n');

const system = [
  { type: 'text', text: "You are Claude Code, Anthropic's official CLI for Claude." },
  { type: 'text', text: Array.from({ length: 120 }, () => prose(70)).join('\n\n'), cache_control: { type: 'ephemeral' } },
];
const tools = Array.from({ length: 18 }, (_, i) => ({
  name: ['Bash', 'Read', 'Edit', 'Write', 'Glob', 'Grep', 'Task', 'TodoWrite', 'WebFetch'][i % 9] + (i >= 9 ? `_${i}` : ''),
  description: Array.from({ length: 4 }, () => prose(30)).join('\n'),
  input_schema: { type: 'object', properties: { path: { type: 'string', description: prose(12) }, content: { type: 'string', description: prose(10) } }, required: ['path'] },
}));

const wire = [];
let wireBytes = 0;
const encoder = new TraceEncoder({ redact: true });
const frames = [
  encoder.encodeHeader({ kind: 'session', t: 0, formatVersion: { major: 1, minor: 0 }, lapseVersion: 'bench', startedAt: Date.now(), argv: ['claude'], cwd: '/w', harness: 'claude', upstreams: { anthropic: 'https://api.anthropic.com', openai: 'https://api.openai.com/v1' }, redacted: true }),
];
const te = new TextEncoder();
const headers = { 'content-type': 'application/json', 'x-api-key': 'sk-ant-api03-' + 'x'.repeat(80), 'anthropic-version': '2023-06-01', 'anthropic-beta': 'claude-code-20250219,interleaved-thinking-2025-05-14', 'user-agent': 'claude-cli/2.0.0 (external, cli)' };
const headBytes = (h) => Object.entries(h).reduce((n, [k, v]) => n + k.length + String(v).length + 4, 0);

const messages = [{ role: 'user', content: [{ type: 'text', text: 'The test in src/parser.test.ts fails; find out why and fix it.' }] }];
let t = 0;
for (let step = 0; step < 20; step++) {
  // cache_control moves to the newest message, like Claude Code does
  const msgs = messages.map((m, i) => ({ ...m, content: m.content.map((c, j) => (i === messages.length - 1 && j === m.content.length - 1 ? { ...c, cache_control: { type: 'ephemeral' } } : c)) }));
  const body = JSON.stringify({ model: 'claude-sonnet-4-5', max_tokens: 32000, system, tools, messages: msgs, metadata: { user_id: 'user_abc_account_123_session_456' }, stream: true });
  const id = `r${step}`;
  t += 500_000;
  const batch = [encoder.encode({ kind: 'http-request', t, id, method: 'POST', url: '/v1/messages?beta=true', upstream: 'https://api.anthropic.com', headers, body: { enc: 'bytes', bytes: te.encode(body) } })];
  wire.push(body);
  wireBytes += te.encode(body).length + headBytes(headers) + 40;
  const events = [];
  const ev = (name, data) => events.push(`event: ${name}\ndata: ${JSON.stringify(data)}\n\n`);
  const toolId = `toolu_01${Math.floor(rand() * 1e12).toString(36)}${step}`;
  ev('message_start', { type: 'message_start', message: { id: `msg_${step}`, type: 'message', role: 'assistant', model: 'claude-sonnet-4-5', content: [], stop_reason: null, usage: { input_tokens: 20000 + step * 800, cache_read_input_tokens: 19000, output_tokens: 1 } } });
  ev('content_block_start', { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } });
  const tokens = 100 + Math.floor(rand() * 200);
  let text = '';
  for (let k = 0; k < tokens - 20; k++) {
    const tok = (k ? ' ' : '') + word();
    text += tok;
    ev('content_block_delta', { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: tok } });
    if (k % 40 === 0) ev('ping', { type: 'ping' });
  }
  ev('content_block_stop', { type: 'content_block_stop', index: 0 });
  const toolName = pick(['Read', 'Edit', 'Bash', 'Grep']);
  const input = { path: `src/${word()}.ts`, content: prose(8) };
  ev('content_block_start', { type: 'content_block_start', index: 1, content_block: { type: 'tool_use', id: toolId, name: toolName, input: {} } });
  const argText = JSON.stringify(input);
  for (let k = 0; k < argText.length; k += 6) ev('content_block_delta', { type: 'content_block_delta', index: 1, delta: { type: 'input_json_delta', partial_json: argText.slice(k, k + 6) } });
  ev('content_block_stop', { type: 'content_block_stop', index: 1 });
  ev('message_delta', { type: 'message_delta', delta: { stop_reason: 'tool_use', stop_sequence: null }, usage: { output_tokens: tokens } });
  ev('message_stop', { type: 'message_stop' });
  t += 300_000;
  batch.push(encoder.encode({ kind: 'http-response', t, id, status: 200, statusText: 'OK', headers: { 'content-type': 'text/event-stream', 'request-id': `req_${step}` }, decoded: false }));
  wireBytes += 200;
  for (const e of events) {
    t += 10_000 + Math.floor(rand() * 2000);
    batch.push(encoder.encode({ kind: 'http-data', t, id, sse: { form: 'raw', text: e } }));
    wire.push(e);
    wireBytes += te.encode(e).length;
    if (batch.length >= Number(process.env.PER ?? 5)) frames.push(encoder.frame(batch.splice(0))); // one frame per ~50 ms of events
  }
  batch.push(encoder.encode({ kind: 'http-end', t, id, outcome: 'complete', bytes: 0 }));
  frames.push(encoder.frame(batch.splice(0)));
  // history grows by the assistant turn and the tool result
  messages.push({ role: 'assistant', content: [{ type: 'text', text }, { type: 'tool_use', id: toolId, name: toolName, input }] });
  const result =
    toolName === 'Read'
      ? code(80 + Math.floor(rand() * 170)).split('\n').map((l, i) => `${String(i + 1).padStart(6)}→${l}`).join('\n')
      : toolName === 'Bash'
        ? code(20 + Math.floor(rand() * 40))
        : `The file ${input.path} has been updated. Here's the result of running \`cat -n\` on a snippet:\n${code(12)}`;
  messages.push({ role: 'user', content: [{ type: 'tool_result', tool_use_id: toolId, content: result }] });
  t += 2_000_000;
}

const traceBytes = frames.reduce((n, f) => n + f.length, 0);
const all = new Uint8Array(traceBytes);
let o = 0;
for (const f of frames) (all.set(f, o), (o += f.length));
const back = readTrace(all);
// compacted as `lapse record` does on close (node:zlib's Brotli); read back with the format's default
// reader (the browser's JavaScript Brotli decoder)
const compacted = compactTrace(all, undefined, { brotli: nodeBrotliEncode });
const same = JSON.stringify(readTrace(compacted).records) === JSON.stringify(back.records);
const gz = gzipSync(Buffer.from(wire.join('')), { level: 9 }).length;
const requestBody0 = JSON.stringify({ system, tools }).length;
if (process.env.OUT) (await import("node:fs")).writeFileSync(process.env.OUT, all);
console.log(`steps                      20 (system prompt + tools: ${(requestBody0 / 1024).toFixed(1)} KB per request)`);
console.log(`records                    ${back.records.length} (read back, truncated=${back.truncated})`);
console.log(`wire bytes                 ${wireBytes.toLocaleString('en-US')}`);
console.log(`trace bytes                ${traceBytes.toLocaleString('en-US')}`);
console.log(`ratio (wire / trace)       ${(wireBytes / traceBytes).toFixed(1)}×   while recording (one frame per ~50 ms)`);
console.log(`after close (compacted)    ${compacted.length.toLocaleString('en-US')}  ${(wireBytes / compacted.length).toFixed(1)}×   (goal ≥ 65× and ≤ xz -9e of the wire; same records: ${same})`);
console.log(`gzip -9 of the wire bytes  ${gz.toLocaleString('en-US')}  (${(wireBytes / gz).toFixed(1)}×)`);
const external = (cmd, args, input) => {
  try {
    return execFileSync(cmd, args, { input, maxBuffer: 1 << 30 }).length;
  } catch {
    return null;
  }
};
const wireAll = Buffer.from(wire.join(''));
const xz = external('xz', ['-9e', '-c'], wireAll);
if (xz) console.log(`xz -9e of the wire bytes   ${xz.toLocaleString('en-US')}  (${(wireBytes / xz).toFixed(1)}×)  goal: trace ≥ 65× and no larger than this`);
// Entropy coders measured on the compacted trace's own plaintext (the records after the session frame):
// what the trace would weigh if its frames used them instead of chained deflate.
{
  const { Dictionary, inflateFrame } = await import('../../dist/format/frame.js');
  const d = new Dictionary();
  const plains = [];
  for (let o = 8; o < compacted.length; ) {
    const view = new DataView(compacted.buffer, compacted.byteOffset + o);
    const len = view.getUint32(0, true);
    const pl = inflateFrame(compacted.subarray(o + 9, o + 9 + len), compacted[o + 8], d);
    d.append(pl);
    plains.push(pl);
    o += 9 + len;
  }
  const plain = Buffer.concat(plains.slice(1));
  const head = plains[0].length + 8 + 9 * plains.length;
  const show = (name, n) => n !== null && console.log(`  ${name.padEnd(36)} ${(head + n).toLocaleString('en-US')}  (${(wireBytes / (head + n)).toFixed(1)}×)`);
  console.log(`records plaintext          ${plain.length.toLocaleString('en-US')} bytes; the trace with it compressed by:`);
  show('deflate -9, one stream (as compacted)', deflateRawSync(plain, { level: 9 }).length);
  show('brotli -11, 16 MiB window', brotliCompressSync(plain, { params: { [zc.BROTLI_PARAM_QUALITY]: 11, [zc.BROTLI_PARAM_LGWIN]: 24, [zc.BROTLI_PARAM_SIZE_HINT]: plain.length } }).length);
  show('zstd -19 --long', external('zstd', ['-19', '--long', '-c'], plain));
  show('xz -9e', external('xz', ['-9e', '-c'], plain));
}

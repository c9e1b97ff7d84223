#!/usr/bin/env node
// Redaction throughput: MB/s of text through `redactText` (what every record's text goes through
// before it is encoded), for the kinds of text a session carries, and of a streamed response through
// the recorder's whole per-event path (stream redaction across deltas + the encoder), the path the
// slow-reader test drives with 200 MB. None of these texts holds a secret: the figure is the cost of
// looking. A last line checks that a text with keys still has them found.
//
//   npm run build && node bench/redaction/run.mjs [--mb 20]
import { loadavg } from 'node:os';
import { redactText } from '../../dist/format/redact.js';
import { StreamRedactor } from '../../dist/format/stream-redact.js';
import { TraceEncoder } from '../../dist/format/encoder.js';

const arg = (name, dflt) => {
  const i = process.argv.indexOf(name);
  return i === -1 ? dflt : Number(process.argv[i + 1]);
};
const MB = arg('--mb', 20);
let seed = 7;
const rnd = () => ((seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32);
const pick = (a) => a[Math.floor(rnd() * a.length)];
// texts as they arrive (JSON.parse, a decoder): flat strings, not the ropes `+=` builds, whose first
// scan would flatten them and charge the copy to redaction
const flat = (s) => JSON.parse(JSON.stringify(s));

// the slow-reader's deltas: ~4 KB of words (bench/slow-reader/run.mjs)
const words = ['the', 'model', 'streams', 'tokens', 'while', 'a', 'slow', 'reader', 'takes', 'its', 'time', 'and', 'lapse', 'waits'];
const prose = (n) => {
  let t = '';
  while (t.length < n) t += pick(words) + ' ';
  return flat(t);
};
// source code as a tool result shows it: identifiers with key/token/auth/pass in them, URLs, flags
const codeLines = [
  'const apiKeyName = process.env.API_KEY_NAME ?? "default";',
  'export function authenticate(token: string, opts: AuthOptions) {',
  '  if (!opts.password) throw new Error(`missing password for ${user}`);',
  '  const url = `https://api.example.com/v1/items?page=${page}&sort=desc`;',
  '  await run(["git", "push", "--force-with-lease", "origin", branch]);',
  '  headers["content-type"] = "application/json"; // secret sauce: none',
  '  for (const [key, value] of Object.entries(map)) out[key] = value;',
  '  return crypto.createHash("sha256").update(secretSalt).digest("hex");',
  '  // TODO: rotate credentials; see docs/auth.md#tokens',
  '  const cookies = parseCookies(req.headers.cookie ?? "");',
];
const code = (n) => {
  let t = '';
  while (t.length < n) t += `${String(Math.floor(rnd() * 900) + 100).padStart(6)}\t${pick(codeLines)}\n`;
  return flat(t);
};
// a Claude-Code-shaped request body: a long system prompt, tools, a history of tool results
const body = (n) => {
  const messages = [];
  let size = 0;
  while (size < n) {
    const m = { role: 'user', content: [{ type: 'tool_result', tool_use_id: `toolu_${size}`, content: code(3000) }] };
    messages.push({ role: 'assistant', content: [{ type: 'text', text: prose(300) }, { type: 'tool_use', id: `toolu_${size}`, name: 'Read', input: { file_path: 'src/auth/token.ts' } }] }, m);
    size += 3400;
  }
  return JSON.stringify({ model: 'claude-sonnet-4-5', max_tokens: 32000, stream: true, system: [{ type: 'text', text: prose(8000) }], messages });
};

function rate(label, texts) {
  let bytes = 0;
  for (const t of texts) bytes += t.length;
  for (const t of texts.slice(0, 20)) redactText(t); // warm up
  const t0 = performance.now();
  let changed = 0;
  for (const t of texts) if (redactText(t) !== t) changed++;
  const s = (performance.now() - t0) / 1000;
  console.log(`  ${label.padEnd(44)} ${(bytes / 1e6 / s).toFixed(1).padStart(7)} MB/s  (${(bytes / 1e6).toFixed(1)} MB in ${texts.length} texts${changed ? `, ${changed} changed!` : ''})`);
}

console.log(`redaction throughput (load average ${loadavg().map((x) => x.toFixed(1)).join(' ')})`);
console.log('redactText:');
rate('SSE text deltas, ~4 KB of prose (slow-reader)', Array.from({ length: Math.ceil((MB * 1e6) / 4000) }, () => prose(4000)));
rate('source code tool results, ~8 KB', Array.from({ length: Math.ceil((MB * 1e6) / 8000) }, () => code(8000)));
rate('request bodies (JSON), ~200 KB', Array.from({ length: Math.ceil((MB * 1e6) / 200_000) }, () => body(200_000)));
rate('short SSE events, ~120 B', Array.from({ length: Math.ceil((MB * 1e6) / 20 / 120) }, () => `event: content_block_delta\ndata: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"${prose(40).trim()}"}}\n\n`));

// The recorder's path per streamed event, as cli/trace/writer.ts runs it: StreamRedactor (the block's
// text across deltas), then the encoder (runs, msgpack; no deflate).
{
  const n = Math.ceil((MB * 1e6) / 4000);
  // as the proxy hands them on: the event's text as it came off the wire
  const raw = Array.from({ length: 32 }, () => `event: content_block_delta\ndata: ${JSON.stringify({ type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: prose(4000) } })}\n\n`);
  const streams = new StreamRedactor();
  const enc = new TraceEncoder({ compress: false });
  let bytes = 0;
  const t0 = performance.now();
  let t = 0;
  for (const r of streams.push({ kind: 'http-request', t: 0, id: 'r1', method: 'POST', url: '/v1/messages', upstream: 'https://api.anthropic.com', headers: {}, body: { enc: 'json', value: { model: 'm' } } })) enc.encode(r);
  for (let k = 0; k < n; k++) {
    bytes += raw[k % 32].length;
    t += 100;
    for (const r of streams.push({ kind: 'http-data', t, id: 'r1', sse: { form: 'raw', text: raw[k % 32] } })) enc.encode(r, streams.redacted(r));
  }
  for (const r of streams.push({ kind: 'http-end', t: t + 1, id: 'r1', outcome: 'complete', bytes })) enc.encode(r);
  const s = (performance.now() - t0) / 1000;
  console.log('recorder, per streamed event (stream redaction + encoder, no deflate):');
  console.log(`  ${'~4 KB text deltas'.padEnd(44)} ${(bytes / 1e6 / s).toFixed(1).padStart(7)} MB/s  (${(bytes / 1e6).toFixed(1)} MB in ${n} events)`);
}
const keys = `AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEYx1\ntoken: ghp_${'a1B2c3D4e5'.repeat(4).slice(0, 36)}\n`;
console.log(`check: a text with two keys comes out ${/redacted:/.test(redactText(code(2000) + keys)) && !redactText(keys).includes('ghp_') ? 'redacted' : 'NOT REDACTED'}`);

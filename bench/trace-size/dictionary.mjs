// Would a shared dictionary of the harness's own prompt and tool list make real traces smaller?
//   npm run build && LAPSE_HARNESS_DIR=/path/to/harnesses node bench/trace-size/dictionary.mjs
// Records two real Claude Code sessions (different prompts) through `lapse record` against lapse's
// built-in endpoint (offline), then compresses session A's records plaintext (as compaction leaves it)
// with: deflate as today; deflate with a preset dictionary made of session B's system prompt and tool
// list (what a dictionary shipped with lapse would hold; DEFLATE can use only its last 32 KiB);
// brotli -11 alone and with B's prompt and tools prepended (what a custom dictionary could reach);
// xz -9e. The dictionary comes from the other session, never from the one measured.
import { spawn, execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deflateRawSync, brotliCompressSync, constants as zc } from 'node:zlib';

const dist = new URL('../../dist/', import.meta.url);
const { startModelServer } = await import(new URL('cli/model/server.js', dist));
const { loadTrace } = await import(new URL('cli/trace/load.js', dist));
const { Dictionary, inflateFrame } = await import(new URL('format/frame.js', dist));
const { nodeBrotli } = await import(new URL('cli/trace/brotli.js', dist));
const { packr } = await import(new URL('format/packr.js', dist));
const { bodyJson } = await import(new URL('format/body.js', dist));

const harnesses = process.env.LAPSE_HARNESS_DIR ?? join(import.meta.dirname, '..', '..', '.cache', 'harnesses');
const claude = join(harnesses, 'node_modules', '.bin', 'claude');
if (!existsSync(claude)) {
  console.log(`no Claude Code at ${claude}: set LAPSE_HARNESS_DIR (.ci/run installs the harnesses)`);
  process.exit(0);
}
const lapse = new URL('../../bin/lapse.js', import.meta.url).pathname;
const scratch = mkdtempSync(join(tmpdir(), 'lapse-bench-dict-'));

async function record(name, prompt) {
  const home = join(scratch, name, 'home');
  const work = join(scratch, name, 'work');
  for (const d of [home, work]) mkdirSync(d, { recursive: true });
  writeFileSync(join(home, '.claude.json'), JSON.stringify({ hasCompletedOnboarding: true }));
  const model = await startModelServer({ ttftMs: 100, tokensPerSecond: 400, jitter: 0, seed: 7 });
  const trace = join(scratch, `${name}.lapse`);
  const key = 'sk-ant-api03-lapseBenchDictionary000000000000000';
  const env = { PATH: process.env.PATH, HOME: home, LAPSE_HOME: scratch, TERM: 'dumb', NO_COLOR: '1', HTTPS_PROXY: 'http://127.0.0.1:9', HTTP_PROXY: 'http://127.0.0.1:9', ANTHROPIC_API_KEY: key, CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1', DISABLE_AUTOUPDATER: '1', DISABLE_TELEMETRY: '1', DISABLE_ERROR_REPORTING: '1' };
  const code = await new Promise((resolve) => {
    const p = spawn(process.execPath, [lapse, 'record', '-o', trace, '--anthropic-upstream', model.url, '--', claude, '-p', prompt, '--allowedTools', 'Write,Bash'], { cwd: work, env, stdio: 'ignore' });
    p.on('exit', resolve);
  });
  await model.close();
  if (code !== 0) throw new Error(`lapse record of ${name} exited ${code}`);
  return trace;
}

/** The records plaintext after the session frame, as the compacted file holds it. */
function plaintext(path) {
  const c = readFileSync(path);
  const d = new Dictionary();
  const parts = [];
  for (let o = 8; o < c.length; ) {
    const len = new DataView(c.buffer, c.byteOffset + o).getUint32(0, true);
    const pl = inflateFrame(c.subarray(o + 9, o + 9 + len), c[o + 8], d, undefined, undefined, nodeBrotli);
    d.append(pl);
    parts.push(pl);
    o += 9 + len;
  }
  return { file: c.length, plain: Buffer.concat(parts.slice(1)) };
}

const a = await record('a', 'Create hello.js that prints a greeting, then run it.');
const b = await record('b', 'Write add.js exporting a function that adds two numbers, then test it with node -e.');
const { file, plain } = plaintext(a);
let wire = 0;
let requests = 0;
for (const r of loadTrace(a).records) {
  if (r.kind === 'http-request') (requests++, (wire += JSON.stringify(bodyJson(r.body) ?? '').length));
  else if (r.kind === 'http-data' && r.sse) wire += r.sse.form === 'raw' ? r.sse.text.length : JSON.stringify(r.sse.data).length + 16;
}
const first = bodyJson(loadTrace(b).records.find((r) => r.kind === 'http-request').body);
const dict = packr.pack({ system: first.system, tools: first.tools });
const deflateDict = dict.subarray(Math.max(0, dict.length - 32 * 1024));
const brotli = (buf) => brotliCompressSync(buf, { params: { [zc.BROTLI_PARAM_QUALITY]: 11, [zc.BROTLI_PARAM_LGWIN]: 24 } }).length;
const row = (name, n) => console.log(`  ${name.padEnd(58)} ${String(n).padStart(7)} B  (wire ÷ ${(wire / n).toFixed(1)})`);
console.log(`Claude Code session A: ${requests} requests, wire ~${wire.toLocaleString('en-US')} B (bodies and events), trace file ${file.toLocaleString('en-US')} B`);
console.log(`dictionary: session B's system prompt and tools, ${dict.length.toLocaleString('en-US')} B as msgpack`);
console.log(`A's records plaintext ${plain.length.toLocaleString('en-US')} B compressed by:`);
row('deflate -9 (as the trace does)', deflateRawSync(plain, { level: 9 }).length);
row('deflate -9, preset dictionary (last 32 KiB of B)', deflateRawSync(plain, { level: 9, dictionary: deflateDict }).length);
row('brotli -11', brotli(plain));
row('brotli -11 after B (a custom dictionary, upper bound)', brotli(Buffer.concat([dict, plain])) - brotli(dict));
try {
  row('xz -9e', execFileSync('xz', ['-9e', '-c'], { input: plain }).length);
} catch {
  // no xz on this machine
}
rmSync(scratch, { recursive: true, force: true });

#!/usr/bin/env node
// The import rate: N synthetic Claude Code transcripts (and a Codex rollout for every fourth), shaped
// like real ones (a prompt, 30 model calls with thinking, text and tool_use lines sharing message.id,
// tool results of a few KB, a subagent every tenth session), through `lapse import DIR --json`; then
// again, when every session is unchanged. Goal: 1,000 transcripts in under a minute.
//
//   npm run build && node bench/import/run.mjs [--sessions 1000] [--calls 30] [--lapse OTHER/bin/lapse.js …]
//
// --lapse (repeatable) imports the same transcripts with other builds too (another worktree's
// bin/lapse.js, e.g. main's), one after the other in this run, so before/after figures share the load.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync, readdirSync, statSync } from 'node:fs';
import { tmpdir, loadavg } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const arg = (name, dflt) => {
  const i = process.argv.indexOf(name);
  return i === -1 ? dflt : Number(process.argv[i + 1]);
};
const SESSIONS = arg('--sessions', 1000);
const CALLS = arg('--calls', 30);
const LAPSE = fileURLToPath(new URL('../../bin/lapse.js', import.meta.url));
const builds = [LAPSE, ...process.argv.flatMap((a, i) => (a === '--lapse' ? [process.argv[i + 1]] : []))];
const dir = mkdtempSync(join(tmpdir(), 'lapse-bench-import-'));
const src = join(dir, 'src');
const home = join(dir, 'traces');
const T0 = Date.parse('2026-11-01T09:00:00Z');
const filler = (n, seed) => Array.from({ length: n }, (_, i) => `line ${seed}-${i}: const value${i} = compute(${i}, "${'x'.repeat(20)}");`).join('\n');

function claudeLines(s, agent = null) {
  const lines = [];
  let t = T0 + s * 3_600_000 + (agent ? 2_700 : 0); // a subagent starts inside its parent's first tool call
  const base = { sessionId: `sess-${s}`, cwd: `/home/dev/project-${s % 7}`, version: '2.1.0', ...(agent ? { isSidechain: true, agentId: agent } : {}) };
  const ts = () => new Date(t).toISOString();
  lines.push({ type: 'user', timestamp: ts(), ...base, message: { role: 'user', content: agent ? 'look into the failing module' : `fix the failing test in module ${s}` } });
  const calls = agent ? 5 : CALLS;
  for (let c = 0; c < calls; c++) {
    const id = `msg_${s}_${agent ?? 'm'}_${c}`;
    const usage = { input_tokens: 5, cache_creation_input_tokens: 800, cache_read_input_tokens: 20_000 + c * 900, cache_creation: { ephemeral_5m_input_tokens: 800, ephemeral_1h_input_tokens: 0 }, output_tokens: 180 };
    const msg = (block) => ({ type: 'assistant', timestamp: ts(), ...base, message: { id, model: 'claude-sonnet-4-5', role: 'assistant', content: [block], stop_reason: null, usage } });
    t += 1500;
    lines.push(msg({ type: 'thinking', thinking: `Considering step ${c}: ${filler(2, c)}`, signature: 'c2ln' }));
    t += 800;
    lines.push(msg({ type: 'text', text: `Step ${c}: reading and editing.` }));
    if (c === calls - 1) break;
    t += 400;
    lines.push(msg({ type: 'tool_use', id: `toolu_${s}_${agent ?? 'm'}_${c}`, name: c % 3 ? 'Read' : 'Bash', input: { file_path: `src/file${c}.ts` } }));
    t += 2000 + (c % 5) * 700;
    lines.push({ type: 'user', timestamp: ts(), ...base, message: { role: 'user', content: [{ type: 'tool_result', tool_use_id: `toolu_${s}_${agent ?? 'm'}_${c}`, content: filler(40, c) }] } });
  }
  lines.push({ type: 'system', subtype: 'turn_duration', durationMs: t - T0 - s * 3_600_000, timestamp: new Date(t + 5).toISOString() });
  return lines.map((l) => JSON.stringify(l)).join('\n') + '\n';
}

function codexLines(s) {
  let t = T0 + s * 3_600_000;
  const ts = () => new Date(t).toISOString();
  const out = [{ timestamp: ts(), type: 'session_meta', payload: { id: `cx-${s}`, cwd: `/home/dev/project-${s % 7}`, cli_version: '0.171.0', base_instructions: { text: 'You are Codex.' } } }, { timestamp: ts(), type: 'turn_context', payload: { model: 'gpt-5-codex' } }, { timestamp: ts(), type: 'response_item', payload: { type: 'message', role: 'user', content: [{ type: 'input_text', text: 'fix it' }] } }];
  let total = 0;
  for (let c = 0; c < CALLS; c++) {
    t += 1800;
    out.push({ timestamp: ts(), type: 'response_item', payload: { type: 'function_call', name: 'shell', arguments: JSON.stringify({ command: ['cat', `src/f${c}.ts`] }), call_id: `call_${c}` } });
    total += 20_200;
    out.push({ timestamp: ts(), type: 'event_msg', payload: { type: 'token_count', info: { total_token_usage: { total_tokens: total }, last_token_usage: { input_tokens: 20_000, cached_input_tokens: 18_000, output_tokens: 200 } } } });
    t += 2500;
    out.push({ timestamp: ts(), type: 'response_item', payload: { type: 'function_call_output', call_id: `call_${c}`, output: filler(40, c) } });
  }
  return out.map((l) => JSON.stringify(l)).join('\n') + '\n';
}

let bytes = 0;
for (let s = 0; s < SESSIONS; s++) {
  if (s % 4 === 3) {
    const d = join(src, 'codex', '2026', '11', String(1 + (s % 28)).padStart(2, '0'));
    mkdirSync(d, { recursive: true });
    const text = codexLines(s);
    bytes += text.length;
    writeFileSync(join(d, `rollout-2026-11-01T09-00-00-${s}.jsonl`), text);
    continue;
  }
  const d = join(src, 'claude', `-home-dev-project-${s % 7}`);
  mkdirSync(d, { recursive: true });
  const text = claudeLines(s);
  bytes += text.length;
  writeFileSync(join(d, `sess-${s}.jsonl`), text);
  if (s % 10 === 0) {
    const sub = join(d, `sess-${s}`, 'subagents');
    mkdirSync(sub, { recursive: true });
    const st = claudeLines(s, `a${s}`);
    bytes += st.length;
    writeFileSync(join(sub, `agent-a${s}.jsonl`), st);
    writeFileSync(join(sub, `agent-a${s}.meta.json`), JSON.stringify({ toolUseId: `toolu_${s}_m_0` }));
  }
}

function run(lapse, home) {
  const t = performance.now();
  const r = spawnSync(process.execPath, [lapse, 'import', src, '--json'], { env: { ...process.env, LAPSE_HOME: home }, encoding: 'utf8', maxBuffer: 1 << 28 });
  const ms = performance.now() - t;
  if (r.status !== 0) throw new Error(r.stderr);
  return { ms, j: JSON.parse(r.stdout) };
}
const load = () => loadavg().map((x) => x.toFixed(1)).join(' ');
builds.forEach((lapse, k) => {
  const home = join(dir, `traces-${k}`);
  const before = load();
  const first = run(lapse, home);
  const second = run(lapse, home);
  const traces = readdirSync(home).filter((n) => n.endsWith('.lapse')).length;
  const traceMB = readdirSync(home).filter((n) => n.endsWith('.lapse')).reduce((n, f) => n + statSync(join(home, f)).size, 0) / 1e6;
  console.log(`${lapse}`);
  console.log(`  import of ${SESSIONS} transcripts (${(bytes / 1e6).toFixed(1)} MB of JSON lines, ${CALLS} model calls each): ${(first.ms / 1000).toFixed(1)} s → ${(SESSIONS / (first.ms / 1000)).toFixed(1)} transcripts/s; ${first.j.imported.length} imported, ${first.j.errors.length} errors, ${traces} traces, ${traceMB.toFixed(1)} MB`);
  console.log(`  again (all unchanged): ${(second.ms / 1000).toFixed(2)} s, ${second.j.skipped} skipped`);
  console.log(`  goal: 1,000 in under 60 s — ${first.ms * (1000 / SESSIONS) < 60_000 ? 'met' : 'NOT met'} (load average before ${before}, after ${load()})`);
});
if (!process.env.KEEP) rmSync(dir, { recursive: true, force: true });
else console.log(dir);

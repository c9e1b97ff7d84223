#!/usr/bin/env node
// Opt-in (not part of `npm test`): the real Claude Code and Codex CLIs, wrapped by `lapse record`,
// against lapse's scripted model endpoint on loopback. They are large downloads, installed into a
// scratch folder (or pass --harnesses DIR where `npm install @anthropic-ai/claude-code @openai/codex` ran).
//
//   npx tsc -p . && node test/record/real-harnesses.mjs [--harnesses DIR]
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const LAPSE = fileURLToPath(new URL('../../bin/lapse.js', import.meta.url));
const i = process.argv.indexOf('--harnesses');
const scratch = mkdtempSync(join(tmpdir(), 'lapse-real-'));
const dir = i === -1 ? join(scratch, 'harnesses') : process.argv[i + 1];
if (!existsSync(join(dir, 'node_modules/.bin/claude')) || !existsSync(join(dir, 'node_modules/.bin/codex'))) {
  mkdirSync(dir, { recursive: true });
  console.log(`installing @anthropic-ai/claude-code and @openai/codex into ${dir} …`);
  writeFileSync(join(dir, 'package.json'), '{"private":true}');
  const r = spawnSync('npm', ['install', '--no-audit', '--no-fund', '@anthropic-ai/claude-code', '@openai/codex'], { cwd: dir, stdio: 'inherit' });
  if (r.status !== 0) process.exit(1);
}

// the scripted model endpoint
const model = spawn(process.execPath, [LAPSE, 'demo', '--serve-model', '--quiet', '--tps', '400'], { stdio: ['ignore', 'pipe', 'inherit'] });
const modelUrl = await new Promise((resolve) => {
  let out = '';
  model.stdout.on('data', (d) => {
    out += d;
    const m = /ANTHROPIC_BASE_URL=(http:\/\/127\.0\.0\.1:\d+)/.exec(out);
    if (m) resolve(m[1]);
  });
});

const home = join(scratch, 'home');
const work = join(scratch, 'work');
mkdirSync(home, { recursive: true });
mkdirSync(work, { recursive: true });
writeFileSync(join(work, 'README.md'), '# scratch project\n');
const env = {
  PATH: process.env.PATH,
  HOME: home,
  LAPSE_HOME: join(scratch, 'traces'),
  CODEX_HOME: join(home, '.codex'),
  ANTHROPIC_API_KEY: 'sk-ant-api03-opt-in-test-key-0000000000',
  OPENAI_API_KEY: 'sk-proj-opt-in-test-key-0000000000',
  CODEX_API_KEY: 'sk-proj-opt-in-test-key-0000000000',
  CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
};
mkdirSync(env.CODEX_HOME, { recursive: true });

function record(name, args) {
  const trace = join(scratch, `${name}.lapse`);
  const r = spawnSync(process.execPath, [LAPSE, 'record', '-o', trace, '--anthropic-upstream', modelUrl, '--openai-upstream', `${modelUrl}/v1`, '--', ...args], {
    cwd: work,
    env,
    encoding: 'utf8',
    timeout: 240_000,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const dump = spawnSync(process.execPath, [LAPSE, 'dump', '--json', trace], { encoding: 'utf8' });
  const recs = dump.stdout.trim().split('\n').filter(Boolean).map((l) => JSON.parse(l));
  return { code: r.status, stderr: r.stderr, recs };
}

let failed = 0;
const check = (what, ok, detail = '') => {
  console.log(`${ok ? 'ok  ' : 'FAIL'} ${what}${detail ? ` — ${detail}` : ''}`);
  if (!ok) failed++;
};

const claude = record('claude', [join(dir, 'node_modules/.bin/claude'), '-p', 'fix the failing test']);
check('claude -p exits 0 through lapse', claude.code === 0, claude.stderr.split('\n').slice(-4).join(' | '));
const cReqs = claude.recs.filter((r) => r.kind === 'http-request' && r.url.startsWith('/v1/messages'));
check('claude: streamed /v1/messages recorded', cReqs.length > 0 && claude.recs.some((r) => r.kind === 'http-data' && r.sse), `${cReqs.length} requests`);

const codex = record('codex', [join(dir, 'node_modules/.bin/codex'), 'exec', '--skip-git-repo-check', 'fix the failing test']);
check('codex exec exits 0 through lapse', codex.code === 0, codex.stderr.split('\n').slice(-4).join(' | '));
const open = codex.recs.find((r) => r.kind === 'ws-open');
check('codex: Responses over WebSocket (not the HTTP fallback)', open?.status === 101 && codex.recs.some((r) => r.kind === 'ws-message' && r.dir === 'down'), open ? `ws-open ${open.url} ${open.extensions}` : 'no ws-open');
check('codex: no /v1/responses over HTTP', !codex.recs.some((r) => r.kind === 'http-request' && r.url.startsWith('/v1/responses')));

model.kill('SIGINT');
rmSync(scratch, { recursive: true, force: true });
console.log(failed ? `${failed} failed` : 'all passed');
process.exit(failed ? 1 : 0);

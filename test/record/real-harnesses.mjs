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

// Interactive Claude Code in a real terminal (tmux) through lapse's pseudo-terminal: scripted pauses
// must come back as reading and typing within 10 %, a resize must reach it, Ctrl-C twice must quit.
if (spawnSync('tmux', ['-V']).status === 0) {
  const sock = `lapse-real-${process.pid}`;
  const tmux = (...a) => spawnSync('tmux', ['-L', sock, '-f', '/dev/null', ...a], { encoding: 'utf8' }).stdout;
  const screen = () => tmux('capture-pane', '-p', '-t', 'cc');
  const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
  const waitFor = async (test, what, ms = 60_000) => {
    const end = Date.now() + ms;
    while (Date.now() < end) {
      const s = screen();
      if (test(s)) return s;
      await sleep(20);
    }
    throw new Error(`timed out waiting for ${what}:\n${screen()}`);
  };
  writeFileSync(join(home, '.claude.json'), '{"hasCompletedOnboarding":true}');
  const trace = join(scratch, 'claude-interactive.lapse');
  const exports = Object.entries({ ...env, PS1: '$ ' }).map(([k, v]) => `export ${k}='${v}'`).join('; ');
  tmux('new-session', '-d', '-x', '120', '-y', '35', '-s', 'cc', 'bash --norc --noprofile');
  tmux('send-keys', '-t', 'cc', `${exports}; cd ${work}; clear; node ${LAPSE} record -q -o ${trace} --no-watch --anthropic-upstream ${modelUrl} -- ${join(dir, 'node_modules/.bin/claude')}; echo exit=$?`, 'Enter');
  let reading = 0;
  let typing = 0;
  const answer = async (ready, readMs, keys) => {
    await waitFor(ready, 'Claude Code to wait for input');
    const seen = Date.now();
    await sleep(readMs);
    const first = Date.now();
    for (const k of keys) {
      tmux('send-keys', '-t', 'cc', ...k);
      await sleep(60);
    }
    tmux('send-keys', '-t', 'cc', 'Enter');
    const last = Date.now();
    reading += first - seen;
    typing += last - first;
  };
  try {
    const ready = (s) => /❯\s*\n/.test(s) && s.includes('? for shortcuts');
    const trust = (s) => s.includes('trust this folder');
    const key = (s) => s.includes('Do you want to use this API key');
    // first-run dialogs, as a person answers them (each is reading, then a key)
    for (let i = 0; i < 4; i++) {
      const s = await waitFor((x) => ready(x) || trust(x) || key(x), 'Claude Code to start');
      if (ready(s)) break;
      await answer(key(s) ? key : trust, 1500, key(s) ? [['Up']] : []);
      await waitFor((x) => !(key(s) ? key : trust)(x), 'the dialog to close', 10_000);
    }
    await answer(ready, 2000, [...'say hello'].map((c) => ['-l', c]));
    await waitFor((s) => s.includes("lapse's scripted model endpoint"), 'the answer');
    tmux('resize-window', '-t', 'cc', '-x', '100', '-y', '30');
    const resized = await waitFor((s) => s.split('\n').some((l) => l.length === 100 && /^─+$/.test(l)), 'a redraw at 100 columns', 10_000).catch(() => null);
    check('claude: a resize reaches it (redrawn at 100 columns)', resized !== null);
    await waitFor((s) => /❯\s*\n/.test(s) && s.includes('? for shortcuts'), 'the prompt again');
    const seen = Date.now();
    await sleep(2500);
    reading += Date.now() - seen;
    tmux('send-keys', '-t', 'cc', 'C-c');
    await sleep(250);
    tmux('send-keys', '-t', 'cc', 'C-c');
    typing += 250;
    const end = await waitFor((s) => /exit=\d+/.test(s), 'Claude Code to quit', 15_000);
    check('claude: Ctrl-C twice quits it through lapse, exit 0', /exit=0/.test(end));
    const stats = JSON.parse(spawnSync(process.execPath, [LAPSE, 'stats', '--json', trace], { encoding: 'utf8' }).stdout);
    const u = stats.userDetail;
    check('claude: reading within 10 % of the pauses', u && Math.abs(u.readingMs - reading) <= 0.1 * reading, u ? `${Math.round(u.readingMs)} ms measured, ${reading} ms paused` : 'no userDetail');
    check('claude: typing within 10 % of the keys typed', u && Math.abs(u.typingMs - typing) <= 0.1 * typing, u ? `${Math.round(u.typingMs)} ms measured, ${typing} ms typed` : 'no userDetail');
    console.log(`     claude interactive: ${JSON.stringify(stats.breakdown)}`);
  } catch (err) {
    check('claude interactive through tmux', false, String(err.message).split('\n').slice(0, 30).join('\n'));
  } finally {
    spawnSync('tmux', ['-L', sock, 'kill-server']);
  }
}

model.kill('SIGINT');
rmSync(scratch, { recursive: true, force: true });
console.log(failed ? `${failed} failed` : 'all passed');
process.exit(failed ? 1 : 0);

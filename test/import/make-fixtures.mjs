#!/usr/bin/env node
// Opt-in (not part of `npm test`): records real Claude Code and Codex sessions through `lapse record`
// against lapse's scripted model endpoint, and keeps the transcripts the harnesses wrote of the same
// sessions, redacted, as the fixtures of test/import/real-session.test.ts.
//
//   npm run build && node test/import/make-fixtures.mjs --harnesses DIR   (DIR: where `npm install @anthropic-ai/claude-code @openai/codex` ran)
import { spawn } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startModelServer } from '../../dist/cli/model/server.js';

const LAPSE = fileURLToPath(new URL('../../bin/lapse.js', import.meta.url));
const OUT = fileURLToPath(new URL('./fixtures/', import.meta.url));
const i = process.argv.indexOf('--harnesses');
if (i === -1) throw new Error('--harnesses DIR is required');
const bin = (name) => join(process.argv[i + 1], 'node_modules/.bin', name);

// Claude Code's own tools: a Bash that takes a while (tool time), a Write, then the answer.
const script = (c) => {
  if (!c.toolNames.includes('Bash')) return { text: 'This endpoint only plays a session to clients offering Bash.' };
  const replies = c.messages.filter((m) => m.role === 'assistant').length;
  if (replies === 0) return { thinking: 'Run the tests first to see what fails.', text: 'Running the tests.', toolCalls: [{ name: 'Bash', arguments: { command: 'sleep 1.5 && echo "1 passing"', description: 'Run the tests' } }] };
  if (replies === 1) return { text: 'Writing the notes file.', toolCalls: [{ name: 'Write', arguments: { file_path: join(c.system.match(/Primary working directory: (\S+)/)?.[1] ?? '.', 'NOTES.md'), content: '# Notes\n\nThe tests pass.\n' } }] };
  return { text: 'The tests pass and NOTES.md records it. Nothing else needed fixing.' };
};
const server = await startModelServer({ ttftMs: 300, tokensPerSecond: 200, seed: 19, script });
const scratch = mkdtempSync(join(tmpdir(), 'lapse-import-fx-'));
const home = join(scratch, 'home');
const work = join(scratch, 'work');
mkdirSync(join(home, '.codex'), { recursive: true });
mkdirSync(work, { recursive: true });
writeFileSync(join(work, 'README.md'), '# scratch project\n');
const env = {
  PATH: process.env.PATH, HOME: home, CODEX_HOME: join(home, '.codex'), LAPSE_HOME: join(scratch, 'traces'),
  ANTHROPIC_API_KEY: 'sk-ant-api03-fixture-key-000000000000', OPENAI_API_KEY: 'sk-proj-fixture-key-000000000000', CODEX_API_KEY: 'sk-proj-fixture-key-000000000000',
  CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
};
// (async: the model endpoint runs in this process)
async function record(name, args) {
  const child = spawn(process.execPath, [LAPSE, 'record', '--no-watch', '-o', join(OUT, `${name}.lapse`), '--anthropic-upstream', server.url, '--openai-upstream', `${server.url}/v1`, '--', ...args], { cwd: work, env, stdio: ['ignore', 'inherit', 'inherit'], timeout: 240_000 });
  const code = await new Promise((resolve) => child.on('exit', resolve));
  if (code !== 0) throw new Error(`${name} failed with ${code}`);
}
await record('claude', [bin('claude'), '-p', 'run the tests and write NOTES.md', '--allowedTools', 'Bash,Write', '--permission-mode', 'acceptEdits']);
await record('codex', [bin('codex'), 'exec', '--skip-git-repo-check', 'fix the failing test']);
await server.close();

// The transcripts, with the scratch paths made neutral (nothing else in them is personal: the key never reaches them).
const files = (dir) => readdirSync(dir, { recursive: true }).map((f) => join(dir, String(f))).filter((f) => statSync(f).isFile() && (f.endsWith('.jsonl') || f.endsWith('.meta.json')));
const redact = (text) => text.split(scratch).join('/scratch');
for (const [from, to] of [[join(home, '.claude/projects'), 'claude-projects'], [join(home, '.codex/sessions'), 'codex-sessions']]) {
  rmSync(join(OUT, to), { recursive: true, force: true });
  for (const f of files(from)) {
    const dest = join(OUT, to, redact(relative(from, f)).replace(/^-tmp-lapse-import-fx-[^/]+/, '-scratch-work'));
    mkdirSync(join(dest, '..'), { recursive: true });
    writeFileSync(dest, redact(readFileSync(f, 'utf8')));
  }
}
rmSync(scratch, { recursive: true, force: true });
console.log(`fixtures written to ${OUT}`);

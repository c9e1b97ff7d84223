// Real harnesses through `lapse record` against the built-in endpoint, asked to hand the work to a
// subagent: the scripted model calls the harness's own spawning tool — OpenCode's `task` (which
// returns the subagent's answer), Codex's `spawn_agent` (which returns at once; the answer comes back
// from `wait_agent`) — the harness runs the subagent (a conversation of its own that writes hello.js
// and runs it), and `lapse stats` shows that conversation as a subagent thread linked to the request
// whose call started it. OpenCode sends no marks: it is found by structure (its first user message
// is the spawn prompt, and it ran inside the call). Codex marks it (`x-openai-subagent:
// collab_spawn` and the child's `thread-id` on the sub-agent's own WebSocket). Skipped without the
// CLIs; under CI=true a missing CLI fails.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { HARNESS_SUBAGENT_PROMPT, HELLO_FILE, HELLO_OUTPUT } from '../../cli/model/harness-script.js';
import { startModelServer } from '../../cli/model/server.js';
import type { StatsJson } from '../e2e/record-scripted.js';
import { binOf, CASES, HARNESS_DIR, ROOT, recordHarness, run } from './harnesses.js';

const scratch = mkdtempSync(join(tmpdir(), 'lapse-harness-sub-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const SUBAGENT_CASES = [
  { name: 'opencode', spawnTool: 'task', subagentTools: ['write', 'bash'], threadId: /^sub-/ },
  // Codex on its default model, as people run it (no -m): code mode, so its sub-agent writes the file
  // and runs it with `exec` (JavaScript calling exec_command); it starts from its parent's history
  // and gets its task as an agent_message.
  { name: 'codex', spawnTool: 'spawn_agent', subagentTools: ['exec', 'exec'], threadId: /^agent-/ },
];

describe('real harnesses starting a subagent', () => {
  for (const s of SUBAGENT_CASES) {
    const c = CASES.find((x) => x.name === s.name)!;
    const installed = existsSync(binOf(c));
    it.skipIf(!installed && process.env.CI !== 'true')(`${s.name}: the subagent its ${s.spawnTool} call starts is a subagent thread, linked to that call`, { timeout: 600_000, retry: 1 }, async () => {
      expect(installed, `${binOf(c)} is missing: .ci/run installs the harness CLIs into ${HARNESS_DIR}`).toBe(true);
      const model = await startModelServer({ ttftMs: 100, tokensPerSecond: 200, jitter: 0, seed: 5 });
      // the same command line, with the prompt that asks for a subagent
      const args = c.args.map((a, i) => (i === c.args.length - 1 ? HARNESS_SUBAGENT_PROMPT : a));
      const { rec, trace, work, home, traces } = await recordHarness(c, join(scratch, s.name), model.url, args).finally(() => model.close());
      expect(rec.code, `${s.name} exited ${rec.code}\nstdout: ${rec.stdout.slice(-1500)}\nstderr: ${rec.stderr.slice(-2500)}`).toBe(0);
      // the subagent did the work with its own tools
      expect(readFileSync(join(work, HELLO_FILE), 'utf8')).toContain(`console.log('${HELLO_OUTPUT}')`);

      const st = await run(process.execPath, [join(ROOT, 'bin', 'lapse.js'), 'stats', trace, '--json'], { cwd: work, env: { PATH: process.env.PATH, HOME: home, LAPSE_HOME: traces }, timeoutMs: 60_000 });
      expect(st.code, st.stderr).toBe(0);
      const stats = JSON.parse(st.stdout) as StatsJson;
      const detail = JSON.stringify({ requests: stats.requests.map((r) => [r.id, r.thread, r.toolCalls, r.dependsOn]), threads: stats.threads });
      const byId = new Map(stats.requests.map((r) => [r.id, r] as const));
      const spawners = stats.requests.filter((r) => r.toolCalls.includes(s.spawnTool));
      expect(spawners, detail).toHaveLength(1);
      const [spawner] = spawners;
      expect(spawner.thread).toBe('main');
      const subs = stats.threads.filter((t) => t.kind === 'subagent');
      expect(subs, detail).toHaveLength(1);
      const [sub] = subs;
      expect(sub.id).toMatch(s.threadId);
      expect(sub, detail).toMatchObject({ parent: 'main', spawnedBy: spawner.id });
      // its requests: the write and the command, then its answer; its first real request (Codex warms
      // a new socket up first) waited on the spawn
      const mine = sub.requests.map((id) => byId.get(id)!);
      expect(mine.flatMap((r) => r.toolCalls), detail).toEqual(s.subagentTools);
      const opener = mine.find((r) => r.dependsOn.length > 0)!;
      expect(opener.dependsOn[0], detail).toEqual({ id: spawner.id, kind: 'spawn' });
      // a later main request carries the answer (the task's result; Codex: wait_agent's): it waited for the subagent
      const last = mine.at(-1)!;
      const collector = stats.requests.find((r) => r.thread === 'main' && r.dependsOn[0]?.id === last.id);
      expect(collector?.dependsOn[0], detail).toEqual({ id: last.id, kind: 'subagent-result' });
    });
  }
});

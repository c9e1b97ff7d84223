// Real OpenCode through `lapse record` against the built-in endpoint, asked to hand the work to a
// subagent: the scripted model calls OpenCode's own `task` tool, OpenCode runs the subagent (its
// "general" agent, a conversation of its own that writes hello.js and runs it), and `lapse stats`
// shows that conversation as a subagent thread linked to the request whose `task` call started it —
// by structure alone (OpenCode sends no agent marks): the spawn prompt is the subagent's first user
// message, and it ran inside the task call. Skipped without the CLI; under CI=true a missing CLI fails.
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
const opencode = CASES.find((c) => c.name === 'opencode')!;
const installed = existsSync(binOf(opencode));

describe('a real harness starting a subagent', () => {
  it.skipIf(!installed && process.env.CI !== 'true')("opencode: its task tool's subagent is a subagent thread, linked to the task call", { timeout: 600_000, retry: 1 }, async () => {
    expect(installed, `${binOf(opencode)} is missing: .ci/run installs the harness CLIs into ${HARNESS_DIR}`).toBe(true);
    const model = await startModelServer({ ttftMs: 100, tokensPerSecond: 200, jitter: 0, seed: 5 });
    const args = opencode.args.map((a, i) => (i === opencode.args.length - 1 ? HARNESS_SUBAGENT_PROMPT : a));
    const { rec, trace, work, home, traces } = await recordHarness(opencode, join(scratch, 'opencode'), model.url, args).finally(() => model.close());
    expect(rec.code, `opencode exited ${rec.code}\nstdout: ${rec.stdout.slice(-1500)}\nstderr: ${rec.stderr.slice(-2500)}`).toBe(0);
    // the subagent did the work with its own tools
    expect(readFileSync(join(work, HELLO_FILE), 'utf8')).toContain(`console.log('${HELLO_OUTPUT}')`);

    const st = await run(process.execPath, [join(ROOT, 'bin', 'lapse.js'), 'stats', trace, '--json'], { cwd: work, env: { PATH: process.env.PATH, HOME: home, LAPSE_HOME: traces }, timeoutMs: 60_000 });
    expect(st.code, st.stderr).toBe(0);
    const stats = JSON.parse(st.stdout) as StatsJson;
    const byId = new Map(stats.requests.map((r) => [r.id, r] as const));
    const spawner = stats.requests.find((r) => r.toolCalls.includes('task'));
    expect(spawner, JSON.stringify(stats.requests.map((r) => [r.id, r.toolCalls]))).toBeDefined();
    expect(spawner!.thread).toBe('main');
    const subs = stats.threads.filter((t) => t.kind === 'subagent');
    expect(subs, JSON.stringify(stats.threads)).toHaveLength(1);
    const [sub] = subs;
    expect(sub).toMatchObject({ parent: 'main', spawnedBy: spawner!.id });
    // the subagent's requests: the write and the command, then its answer; the first waited on the spawn
    const mine = sub.requests.map((id) => byId.get(id)!);
    expect(mine.flatMap((r) => r.toolCalls)).toEqual(['write', 'bash']);
    expect(mine[0].dependsOn[0]).toEqual({ id: spawner!.id, kind: 'spawn' });
    // the main thread's next request carries the task's result: it waited for the subagent's answer
    const after = stats.requests.find((r) => r.thread === 'main' && r.startMs > spawner!.startMs)!;
    expect(after.dependsOn[0]).toEqual({ id: mine.at(-1)!.id, kind: 'subagent-result' });
  });
});

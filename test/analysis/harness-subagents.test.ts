// Thread detection on real recordings (test/analysis/fixtures/README.md): OpenCode's `task` subagent,
// found by structure (spawn prompt, time containment), and a Codex sub-agent, found by Codex's own
// marks on its socket, spawned with `spawn_agent` and collected by `wait_agent` (with `-m gpt-5`, and
// on Codex's default model, whose sub-agent starts from its parent's history) — each linked to the
// call that started it, its first real request depending on the spawn, and the main request that
// got its answer depending on its last one.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { analyseTrace } from '../../analysis/session.js';
import { readTrace } from '../../format/index.js';

const load = (name: string) => analyseTrace(readTrace(new Uint8Array(readFileSync(new URL(`./fixtures/${name}`, import.meta.url)))));

describe('subagents of real harnesses', () => {
  it.each([
    { file: 'opencode-subagent.lapse', spawnTool: 'task', via: 'spawn-prompt', tools: ['write', 'bash'] },
    { file: 'codex-subagent.lapse', spawnTool: 'spawn_agent', via: 'agent-id', tools: ['exec_command', 'exec_command'] },
    // forked with its parent's history, the spawn call and its placeholder result among it
    { file: 'codex-default-subagent.lapse', spawnTool: 'spawn_agent', via: 'agent-id', tools: ['exec', 'exec'] },
  ])('$file: one subagent thread, linked to its $spawnTool call, found by $via', ({ file, spawnTool, via, tools }) => {
    const m = load(file);
    const byId = new Map(m.requests.map((r) => [r.id, r] as const));
    const [spawner, ...more] = m.requests.filter((r) => r.toolCalls.some((c) => c.name === spawnTool));
    expect(more).toEqual([]);
    const subs = m.threads.filter((t) => t.kind === 'subagent');
    expect(subs).toHaveLength(1);
    const [sub] = subs;
    const call = spawner.toolCalls.find((c) => c.name === spawnTool)!;
    expect(sub).toMatchObject({ parent: 'main', spawnedBy: spawner.id, spawnCallId: call.id, spawnTool, via });
    const mine = sub.requests.map((id) => byId.get(id)!);
    expect(mine.flatMap((r) => r.toolCalls.map((c) => c.name))).toEqual(tools);
    const opener = mine.find((r) => !r.warmup)!;
    expect(opener.dependencies[0]).toMatchObject({ id: spawner.id, kind: 'spawn' });
    const last = mine.at(-1)!;
    const collector = m.requests.find((r) => r.thread === 'main' && r.dependsOn === last.id)!;
    expect(collector.dependencies[0]).toMatchObject({ id: last.id, kind: 'subagent-result' });
    // the subagent's work is on the critical path (the main thread only waited for it)
    expect(mine.filter((r) => !r.warmup).every((r) => r.critical)).toBe(true);
    expect(m.breakdown.toolMs + m.breakdown.modelWaitMs + m.breakdown.modelStreamMs + m.breakdown.userMs + m.breakdown.harnessMs).toBeCloseTo(m.durationMs, 3);
  });

  it("codex: the <subagent_notification> after wait_agent's output is Codex's, not a user turn", () => {
    const m = load('codex-subagent.lapse');
    const main = m.requests.filter((r) => r.thread === 'main');
    const collector = main.at(-1)!;
    const wait = main.find((r) => r.toolCalls.some((c) => c.name === 'wait_agent'))!;
    expect(collector.answersToolCallIds).toEqual([wait.toolCalls[0].id]);
    expect(m.turns).toHaveLength(1);
  });
});

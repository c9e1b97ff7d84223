import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Conversation } from '../../cli/model/conversation.js';
import { PARALLEL_CHECK_MS, SPAWN_PROMPTS } from '../../cli/model/scenarios.js';
import { SIDE_TITLE, defaultScript } from '../../cli/model/script.js';
import { startModelServer, type ModelServer } from '../../cli/model/server.js';
import { AGENT_PROTOCOLS } from '../../cli/agent/driver.js';
import { runAgentSession } from '../../cli/agent/session.js';

/** Fails the request (so the agent fails) if a tool result answers an id the model never issued. */
function checkingIds(c: Conversation) {
  const issued = new Set<string>();
  for (const m of c.messages) {
    if (m.role === 'assistant') for (const t of m.toolCalls) issued.add(t.id);
    if (m.role === 'tool' && !issued.has(m.callId)) throw new Error(`tool result for unknown id ${m.callId}`);
  }
  return defaultScript(c);
}

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

// Each session has its own endpoint, so they can run side by side and each log is its own.
const servers: ModelServer[] = [];
afterAll(() => Promise.all(servers.map((s) => s.close())));
async function endpoint(): Promise<ModelServer> {
  const s = await startModelServer({ ttftMs: 20, tokensPerSecond: 2000, seed: 3, script: checkingIds });
  servers.push(s);
  return s;
}

describe.concurrent('scripted agent', () => {
  it.each(AGENT_PROTOCOLS)('completes a whole session over %s and leaves the expected file changes', async (protocol) => {
    const server = await endpoint();
    const workspace = mkdtempSync(join(tmpdir(), `lapse-agent-${protocol}-`));
    dirs.push(workspace);
    const lines: string[] = [];
    const r = await runAgentSession({
      protocol,
      workspace,
      thinkMs: 100,
      testRunMs: 300,
      anthropicBaseUrl: server.url,
      openaiBaseUrl: `${server.url}/v1`,
      env: {},
      log: (l) => lines.push(l),
    });
    expect(r.toolCalls).toEqual(['read_file', 'read_file', 'edit_file', 'run_command', 'write_file']);
    expect(r.requests).toBe(6); // turn 1: 4 requests, turn 2: 2
    expect(r.title).toBe(SIDE_TITLE);
    expect(r.finalText).toMatch(/CHANGELOG/);
    expect(r.embeddedEndpoint).toBeNull();
    expect(readFileSync(join(workspace, 'src/math.js'), 'utf8')).toContain('return a + b;');
    expect(readFileSync(join(workspace, 'CHANGELOG.md'), 'utf8')).toMatch(/Fix `add\(\)`/);
    expect(lines.join('\n')).toMatch(/All tests pass/);

    const mine = server.stats().log;
    expect(mine.every((e) => e.status === 'complete')).toBe(true);
    expect(mine.filter((e) => e.side && e.outputTokens > 0)).toHaveLength(1); // the title
    if (protocol === 'openai-ws') {
      expect(mine.filter((e) => e.transport === 'websocket')).toHaveLength(7); // warm-up + 6
    } else {
      expect(mine.every((e) => e.transport === 'http')).toBe(true);
    }
  });

  it('really spends its pauses and its test run', async () => {
    const server = await endpoint();
    const r = await runAgentSession({ protocol: 'anthropic', thinkMs: 300, testRunMs: 400, anthropicBaseUrl: server.url, env: {} });
    expect(r.durationMs).toBeGreaterThan(700); // 300 ms pause + 400 ms test run, at least
  });

  it('refuses to seed a directory that holds other files', async () => {
    const server = await endpoint();
    const dir = mkdtempSync(join(tmpdir(), 'lapse-agent-busy-'));
    dirs.push(dir);
    const { writeFileSync } = await import('node:fs');
    writeFileSync(join(dir, 'precious.txt'), 'keep me');
    await expect(runAgentSession({ protocol: 'anthropic', workspace: dir, anthropicBaseUrl: server.url, env: {} })).rejects.toThrow(/refusing to seed/);
    expect(readFileSync(join(dir, 'precious.txt'), 'utf8')).toBe('keep me');
  });
});

describe.concurrent('scripted agent scenarios', () => {
  it.each(AGENT_PROTOCOLS)('subagents over %s: two subagents from one response, their answers as the Agent tool results', async (protocol) => {
    const server = await endpoint();
    const r = await runAgentSession({ protocol, scenario: 'subagents', anthropicBaseUrl: server.url, openaiBaseUrl: `${server.url}/v1`, env: {} });
    expect(r.toolCalls.slice(0, 2)).toEqual(['Agent', 'Agent']);
    expect(r.toolCalls).toContain('run_command');
    expect(r.requests).toBe(2); // spawn, then the summary
    expect(r.subagents.map((a) => a.prompt)).toEqual([SPAWN_PROMPTS.checks, SPAWN_PROMPTS.explain]);
    expect(r.subagents.map((a) => a.requests)).toEqual([2, 1]); // command then report; one long answer
    expect(r.subagents[1].answer.length).toBeGreaterThan(1500);
    const log = server.stats().log.filter((e) => e.outputTokens > 0 && !e.side);
    const marked = log.filter((e) => e.agentId !== undefined);
    if (protocol === 'anthropic') {
      // Claude Code's mark: every subagent request names its agent.
      expect(new Set(marked.map((e) => e.agentId))).toEqual(new Set(r.subagents.map((a) => a.id)));
      expect(marked).toHaveLength(3);
    } else expect(marked).toHaveLength(0);
    // The two subagents ran at the same time, and the summary came after both.
    const [agentA, agentB] = r.toolRuns.filter((t) => t.name === 'Agent');
    expect(agentB.startMs).toBeLessThan(agentA.endMs);
    expect(log.at(-1)!.arrivedAt).toBeGreaterThan(Math.max(...log.slice(1, -1).map((e) => e.endedAt!)));
    // The model-bound subagent's answer is about 500 tokens.
    expect(log.map((e) => e.outputTokens).sort((a, b) => b - a)[0]).toBeGreaterThanOrEqual(500);
  });

  it('parallel-tools: both commands of one response run at the same time', async () => {
    const server = await endpoint();
    const r = await runAgentSession({ protocol: 'anthropic', scenario: 'parallel-tools', testRunMs: 600, anthropicBaseUrl: server.url, env: {} });
    expect(r.toolCalls).toEqual(['run_command', 'run_command']);
    const [a, b] = r.toolRuns;
    // Side by side: the second started before the first ended, and each took at least its own time.
    expect(b.startMs).toBeLessThan(a.endMs);
    expect(b.endMs - b.startMs).toBeGreaterThanOrEqual(PARALLEL_CHECK_MS);
    expect(a.endMs - a.startMs).toBeGreaterThanOrEqual(600);
  });
});

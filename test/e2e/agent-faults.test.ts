// The scripted agent's failure options (used by fixtures/traces/faults.lapse): a request cancelled
// mid-stream with the SDK's AbortController, an HTTP 529 the SDK retries, a stream that errors half
// way — each sent again, so the session still completes.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runAgentSession } from '../../cli/agent/session.js';
import { startModelServer, type ModelServer } from '../../cli/model/server.js';
import { ROOT, node } from './record-scripted.js';

const dirs: string[] = [];
const servers: ModelServer[] = [];
afterAll(async () => {
  await Promise.all(servers.map((s) => s.close()));
  dirs.forEach((d) => rmSync(d, { recursive: true, force: true }));
});

describe.concurrent('scripted agent failure options', () => {
  it.each(['anthropic', 'openai-chat', 'openai-responses'] as const)('%s: abort, 529 and a stream error are logged by the endpoint and the session completes', async (protocol) => {
    // The 4th request (the 74-token summary) streams from 100 ms to ~1.6 s, so a cancel at 400 ms lands
    // mid-stream even on a busy machine.
    const server = await startModelServer({ ttftMs: 100, tokensPerSecond: 50 });
    servers.push(server);
    const workspace = mkdtempSync(join(tmpdir(), 'lapse-e2e-faults-'));
    dirs.push(workspace);
    const lines: string[] = [];
    const r = await runAgentSession({
      protocol,
      workspace,
      thinkMs: 0,
      testRunMs: 50,
      anthropicBaseUrl: server.url,
      openaiBaseUrl: `${server.url}/v1`,
      abort: { at: 4, afterMs: 400 },
      faults: [
        { at: 2, fault: 'overloaded' },
        { at: 5, fault: 'stream-error:5' },
      ],
      log: (l) => lines.push(l),
    });
    expect(r.requests).toBe(6);
    expect(r.resent).toBe(2);
    expect(r.toolCalls).toEqual(['read_file', 'read_file', 'edit_file', 'run_command', 'write_file']);
    expect(lines.filter((l) => l.includes('sending it again'))).toEqual([
      '(request 4 cancelled after 400 ms; sending it again)',
      expect.stringMatching(/^\(request 5 failed: .+; sending it again\)$/),
    ]);

    const log = server.stats().log.filter((e) => !e.side);
    expect(log.map((e) => e.status)).toEqual(['complete', 'error', 'complete', 'complete', 'aborted', 'complete', 'error', 'complete', 'complete']);
    const [, overloaded, , , aborted, , streamError] = log;
    expect(overloaded.error).toMatch(/529/);
    expect(aborted.outputTokens).toBeGreaterThan(0); // cancelled after the first token…
    expect(aborted.outputTokens).toBeLessThan(74); // …and before the last
    expect(streamError.outputTokens).toBe(5);
  });

  it('refuses what it cannot do, with one line and exit 2', async () => {
    const agent = join(ROOT, 'dist', 'cli', 'agent', 'main.js');
    const cases: [string[], RegExp][] = [
      [['--protocol', 'openai-ws', '--abort-after-ms', '100'], /need an HTTP protocol/],
      [['--fault', 'overloaded'], /NAME\[:N\]@K/],
      [['--fault', 'meteor@2'], /unknown fault meteor/],
      [['--abort-at', '2'], /--abort-at needs --abort-after-ms/],
      [['--abort-after-ms', '10', '--abort-at', '0'], /request number ≥ 1/],
    ];
    const runs = await Promise.all(cases.map(([args]) => node([agent, ...args])));
    for (const [i, [args, message]] of cases.entries()) {
      const r = runs[i];
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr).toMatch(/^lapse-agent: .+\n$/);
      expect(r.stderr).toMatch(message);
    }
  });
});

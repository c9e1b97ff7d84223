// Trace content never drives the terminal: a model name, a file name, a marker and a response that
// carry ESC sequences (OSC 52 clipboard write, OSC 0 window title, CSI cursor moves), C1 controls and
// BEL come out of every command as visible `\u001b` text; JSON output stays valid and equal.
import { afterAll, describe, expect, it } from 'vitest';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { enc, writeTrace } from '../format/helpers.js';
import { terminalSafe } from '../../cli/util/terminal.js';
import { cliEnv, removeTmpDirs, runCli, tmpDir } from './helpers.js';

afterAll(() => removeTmpDirs());

const OSC52 = '\u001b]52;c;ZXZpbA==\u0007';
const OSC0 = '\u001b]0;pwned\u0007';
const CSI = '\u001b[2J\u001b[H';
const C1 = '\u009b31m';
const EVIL_MODEL = `claude${OSC52}${C1}`;
const EVIL_FILE = `src/${OSC0}${CSI}a.ts`;

function evilTrace(path: string): void {
  const body = JSON.stringify({ model: EVIL_MODEL, stream: true, max_tokens: 5, messages: [{ role: 'user', content: `hi ${OSC0}` }] });
  const bytes = writeTrace([
    { kind: 'process-start', t: 5, pid: 9, argv: ['agent', OSC0] },
    { kind: 'http-request', t: 1000, id: 'r1', method: 'POST', url: '/v1/messages', upstream: 'https://api.anthropic.com', headers: { 'content-type': 'application/json', 'x-note': OSC52 }, body: { enc: 'bytes', bytes: enc.encode(body) } },
    { kind: 'http-response', t: 200_000, id: 'r1', status: 200, statusText: `OK${OSC0}`, headers: { 'content-type': 'text/event-stream' }, decoded: false },
    { kind: 'http-data', t: 200_100, id: 'r1', sse: { form: 'raw', text: `event: message_start\ndata: ${JSON.stringify({ type: 'message_start', message: { model: EVIL_MODEL, usage: { input_tokens: 3 } } })}\n\n` } },
    { kind: 'http-data', t: 250_000, id: 'r1', sse: { form: 'raw', text: `event: content_block_delta\ndata: ${JSON.stringify({ type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: `x${OSC52}y` } })}\n\n` } },
    { kind: 'http-data', t: 300_000, id: 'r1', sse: { form: 'raw', text: `event: message_delta\ndata: ${JSON.stringify({ type: 'message_delta', delta: { stop_reason: `end${CSI}` }, usage: { output_tokens: 2 } })}\n\n` } },
    { kind: 'http-end', t: 300_500, id: 'r1', outcome: 'error', message: `boom ${OSC0}`, bytes: 10 },
    { kind: 'file', t: 400_000, path: EVIL_FILE, op: 'create', diff: `+${OSC52}\n` },
    { kind: 'marker', t: 450_000, label: `mark ${OSC0}` },
    { kind: 'process-exit', t: 500_000, pid: 9, code: 0, signal: null },
  ]);
  writeFileSync(path, bytes);
}

/** Any escape that is not SGR colour, any other C0 but tab/newline/CR, DEL, any C1. */
const UNSAFE = /\u001b(?!\[[0-9;]*m)|[\u0000-\u0008\u000b\u000c\u000e-\u001a\u001c-\u001f\u007f-\u009f]/;

describe('terminal output', () => {
  it('terminalSafe keeps text, tabs, newlines and colour; shows every other control as \\uXXXX', () => {
    expect(terminalSafe('plain\ttext\nline')).toBe('plain\ttext\nline');
    expect(terminalSafe('\u001b[1mbold\u001b[0m \r\u001b[K')).toBe('\u001b[1mbold\u001b[0m \r\u001b[K');
    expect(terminalSafe(`a${OSC52}b`)).toBe('a\\u001b]52;c;ZXZpbA==\\u0007b');
    expect(terminalSafe(C1)).toBe('\\u009b31m');
    const json = JSON.stringify({ s: `x${C1}` });
    expect(JSON.parse(terminalSafe(json))).toEqual(JSON.parse(json));
  });

  it('every command prints trace content without live control sequences', async () => {
    const dir = tmpDir();
    const env = cliEnv();
    const trace = join(env.LAPSE_HOME!, 'evil.lapse');
    mkdirSync(env.LAPSE_HOME!, { recursive: true });
    evilTrace(trace);
    const runs: string[][] = [['stats', trace], ['stats', trace, '--json'], ['simulate', trace], ['simulate', trace, '--json'], ['dump', trace], ['dump', trace, '--json'], ['dump', trace, '--json', '--raw'], ['ls'], ['ls', '--json'], ['export', trace, '--format', 'har'], ['export', trace, '--format', 'chrome'], ['export', trace, '--format', 'otlp']];
    let checked = 0;
    for (const args of runs) {
      const r = await runCli(args, { env, cwd: dir });
      expect({ args, code: r.code, stderr: r.stderr.slice(0, 300) }).toMatchObject({ args, code: 0 });
      const bad = UNSAFE.exec(r.stdout + r.stderr);
      expect({ args, bad: bad ? JSON.stringify((r.stdout + r.stderr).slice(Math.max(0, bad.index - 20), bad.index + 20)) : null }).toEqual({ args, bad: null });
      // still valid JSON (dump --json: one object a line)
      if (args[0] === 'dump' && args.includes('--json')) for (const line of r.stdout.trim().split('\n')) JSON.parse(line);
      else if (args.includes('--json') || args[0] === 'export') JSON.parse(r.stdout);
      checked++;
    }
    const dump = await runCli(['dump', trace], { env });
    expect(dump.stdout).toContain('\\u001b]52;c;ZXZpbA==\\u0007'); // shown, not swallowed
    expect(checked).toBe(runs.length);
  }, 120_000);
});

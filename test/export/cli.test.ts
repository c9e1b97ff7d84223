import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import type { TraceRecord } from '../../format/types.js';
import { lapse, ROOT, tempDir } from './helpers.js';
import { sessionRecords, writeSession } from '../factory/mixed-session.js';

const tmp = tempDir();
beforeAll(() => {
  // A session long enough that its HAR (a 60 KB system prompt in every request body) overflows a pipe.
  const recs = sessionRecords();
  const more: TraceRecord[] = [];
  const big = 'You are a coding agent. '.repeat(2500);
  for (let i = 0; i < 40; i++) {
    const id = `x${i}`;
    const t = 12_000_000 + i * 10_000;
    more.push({ kind: 'http-request', t, id, method: 'POST', url: '/v1/messages', upstream: 'https://api.anthropic.com', headers: { 'content-type': 'application/json' }, body: { enc: 'bytes', bytes: new TextEncoder().encode(JSON.stringify({ model: 'm', system: big, messages: [{ role: 'user', content: `q${i}` }] })) } });
    more.push({ kind: 'http-end', t: t + 5000, id, outcome: 'aborted', message: 'client went away', bytes: 0 });
  }
  writeSession(join(tmp.dir, '2026-01-01T00-00-00-claude.lapse'), [...recs, ...more]);
});
afterAll(() => tmp.cleanup());

describe('lapse export on the command line', () => {
  it('uses the newest trace in the trace directory when TRACE is omitted', async () => {
    const r = await lapse(['export', '--format', 'otlp'], { LAPSE_HOME: tmp.dir });
    expect(r.code, r.stderr).toBe(0);
    const doc = JSON.parse(r.stdout) as { resourceSpans: Array<{ resource: { attributes: Array<{ key: string; value: { stringValue?: string } }> } }> };
    expect(doc.resourceSpans[0].resource.attributes.find((a) => a.key === 'lapse.trace.file')?.value.stringValue).toBe('2026-01-01T00-00-00-claude.lapse');
  });

  it('stops quietly when the reader of stdout goes away (| head)', async () => {
    const child = spawn(process.execPath, [join(ROOT, 'bin', 'lapse.js'), 'export', '--format', 'har'], { cwd: ROOT, env: { ...process.env, LAPSE_HOME: tmp.dir }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const first = await new Promise<string>((resolve) => child.stdout.once('data', (d: Buffer) => resolve(d.toString('utf8'))));
    child.stdout.destroy();
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(first.startsWith('{"log":{"version":"1.2"')).toBe(true);
    expect(stderr).toBe('');
    expect(code).toBe(0);
  });

  it('an unwritable -o is one line and exit 2', async () => {
    const r = await lapse(['export', '--format', 'chrome', '-o', join(tmp.dir, 'no', 'such', 'dir', 'x.json')], { LAPSE_HOME: tmp.dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^lapse: cannot write .*x\.json: ENOENT\n$/);
  });
});

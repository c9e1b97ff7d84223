// `lapse view` as a server: what it serves, to whom, and its one-line errors. No browser needed.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { syntheticTrace } from '../../bench/viewer/synthetic.mjs';
import { rawGet, requireBuilt, runCli, startView, type Viewing } from './helpers.js';

let dir: string;
let trace: string;
let view: Viewing;

beforeAll(async () => {
  requireBuilt();
  dir = mkdtempSync(join(tmpdir(), 'lapse-view-'));
  trace = join(dir, 'session.lapse');
  writeFileSync(trace, syntheticTrace({ steps: 3, tokensPerStep: 20 }).bytes);
  view = await startView(trace);
});

afterAll(async () => {
  expect(await view?.stop()).toBe(0);
});

describe('lapse view server', () => {
  it('prints a loopback URL on a free port', () => {
    expect(view.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    expect(view.port).toBeGreaterThan(0);
  });

  it('serves the page with a strict CSP, and the trace byte for byte', async () => {
    const page = await rawGet(view.port, '/', `127.0.0.1:${view.port}`);
    expect(page.status).toBe(200);
    expect(String(page.headers['content-type'])).toMatch(/text\/html/);
    expect(String(page.headers['content-security-policy'])).toContain("script-src 'self'");
    expect(page.body.toString()).toContain('id="timeline"');
    const script = /src="\.\/(assets\/[^"]+\.js)"/.exec(page.body.toString());
    expect(script).not.toBeNull();
    const js = await rawGet(view.port, '/' + script![1], `localhost:${view.port}`);
    expect(js.status).toBe(200);
    expect(String(js.headers['content-type'])).toMatch(/javascript/);
    const t = await rawGet(view.port, '/trace.lapse', `127.0.0.1:${view.port}`);
    expect(t.status).toBe(200);
    expect(t.headers['x-lapse-trace-name']).toBe('session.lapse');
    expect(Buffer.compare(t.body, readFileSync(trace))).toBe(0);
  });

  it('refuses a foreign Host header (DNS rebinding) and a wrong port in it', async () => {
    for (const host of ['evil.example', `evil.example:${view.port}`, `127.0.0.1:${view.port + 1}`, `10.0.0.1:${view.port}`]) {
      const r = await rawGet(view.port, '/trace.lapse', host);
      expect(r.status, host).toBe(403);
      expect(r.body.toString()).not.toContain('LAPSE');
    }
  });

  it('serves nothing but the viewer and the trace, read-only', async () => {
    const h = `127.0.0.1:${view.port}`;
    for (const p of ['/package.json', '/../package.json', '/..%2f..%2fpackage.json', '/%2e%2e/%2e%2e/package.json', '/src/main.ts', '/cli/main.js', '/etc/passwd']) {
      expect((await rawGet(view.port, p, h)).status, p).toBe(404);
    }
    expect((await rawGet(view.port, '/trace.lapse', h, 'POST')).status).toBe(405);
    expect((await rawGet(view.port, '/', h, 'DELETE')).status).toBe(405);
  });
});

describe('lapse view errors', () => {
  it('a missing trace: one line, exit 2', async () => {
    const r = await runCli(['view', join(dir, 'nope.lapse'), '--no-open']);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/no such trace/);
  });

  it('a file that is not a trace: one line, exit 2', async () => {
    const bad = join(dir, 'bad.lapse');
    writeFileSync(bad, 'hello, not a trace');
    const r = await runCli(['view', bad, '--no-open']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/not a lapse trace/);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('a bad --port: one line, exit 2', async () => {
    const r = await runCli(['view', trace, '--no-open', '--port', 'abc']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--port/);
  });

  it('no trace given and none recorded: says how to get one', async () => {
    const r = await runCli(['view', '--no-open']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/lapse demo|lapse record/);
  });

  it('a port in use: one line, exit 2', async () => {
    const r = await runCli(['view', trace, '--no-open', '--port', String(view.port)]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/in use/);
  });

  it('a non-loopback --host warns that it exposes the trace (and an address not on this machine fails in one line)', async () => {
    const r = await runCli(['view', trace, '--no-open', '--host', '192.0.2.1']);
    expect(r.stderr).toMatch(/warning: listening on 192\.0\.2\.1/);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/cannot listen on 192\.0\.2\.1/);
  });

  it('--help teaches with an example', async () => {
    const r = await runCli(['view', '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/Examples:/);
    expect(r.stdout).toMatch(/--no-open/);
  });
});

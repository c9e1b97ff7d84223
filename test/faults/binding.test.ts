// Binding: the recording proxy (`lapse proxy`, `lapse record`), the replay server and the viewer listen
// on 127.0.0.1 only unless --host says otherwise, and then they warn; the viewer answers only requests
// addressed to it (a foreign Host header, as a DNS-rebinding page sends, is refused). What a server
// listens on is read from the kernel's socket table (/proc/net/tcp), not from what it prints.
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import net from 'node:net';
import { existsSync, readFileSync } from 'node:fs';
import { networkInterfaces } from 'node:os';
import { join } from 'node:path';
import { cliEnv, removeTmpDirs, ROOT, runCli, startCli, startUpstream, tmpDir, type CliServer, type Upstream } from './helpers.js';
import { loadTrace } from '../../cli/trace/load.js';

const FIXTURE = join(ROOT, 'fixtures', 'traces', 'anthropic.lapse');
const running: CliServer[] = [];
afterEach(async () => {
  for (const s of running.splice(0)) {
    s.child.kill('SIGTERM');
    await s.done;
  }
});
afterAll(() => removeTmpDirs());

/** IPv4 addresses listening on `port` (state LISTEN), from /proc/net/tcp. */
function listeners(port: number): string[] {
  const out: string[] = [];
  for (const line of readFileSync('/proc/net/tcp', 'utf8').split('\n').slice(1)) {
    const f = line.trim().split(/\s+/);
    if (f.length < 4 || f[3] !== '0A') continue;
    const [hex, p] = f[1].split(':');
    if (parseInt(p, 16) !== port) continue;
    out.push([3, 2, 1, 0].map((i) => parseInt(hex.slice(i * 2, i * 2 + 2), 16)).join('.'));
  }
  return out;
}

/** A non-loopback IPv4 address of this machine, if it has one. */
function outsideAddress(): string | null {
  for (const list of Object.values(networkInterfaces())) for (const a of list ?? []) if (a.family === 'IPv4' && !a.internal) return a.address;
  return null;
}

/** Whether a TCP connection to host:port is accepted (nothing is sent). */
function connects(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = net.connect({ host, port, timeout: 3000 }, () => {
      sock.destroy();
      resolve(true);
    });
    sock.on('error', () => resolve(false));
    sock.on('timeout', () => (sock.destroy(), resolve(false)));
  });
}

/** Sends `text` as is on a fresh connection; resolves with the response's status code. */
function rawStatus(port: number, text: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const sock = net.connect({ host: '127.0.0.1', port }, () => sock.write(text));
    let head = '';
    sock.on('data', (d: Buffer) => {
      head += d.toString('latin1');
      const m = /^HTTP\/1\.1 (\d{3})/.exec(head);
      if (m) {
        resolve(Number(m[1]));
        sock.destroy();
      }
    });
    sock.on('error', reject);
    sock.on('close', () => reject(new Error(`no answer to ${text.split('\r\n')[0]}`)));
  });
}

/** A raw HTTP/1.1 GET with exactly the Host header given (none when null); resolves with the status. */
function get(port: number, path: string, host: string | null): Promise<number> {
  return rawStatus(port, `GET ${path} HTTP/1.1\r\n${host === null ? '' : `Host: ${host}\r\n`}Connection: close\r\n\r\n`);
}

const procNet = existsSync('/proc/net/tcp');
const servers: Array<{ name: string; args: (host: string[]) => string[]; ready: RegExp; warn: RegExp }> = [
  // upstreams on a closed local port: nothing here may reach the internet
  { name: 'lapse proxy', args: (h) => ['proxy', '-o', join(tmpDir(), 'p.lapse'), '--anthropic-upstream', 'http://127.0.0.1:9', '--openai-upstream', 'http://127.0.0.1:9/v1', ...h], ready: /ANTHROPIC_BASE_URL=http:\/\/([^:]+):(\d+)\n/, warn: /lapse proxy: warning: listening on 0\.0\.0\.0/ },
  { name: 'lapse replay', args: (h) => ['replay', FIXTURE, '--instant', ...h], ready: /ANTHROPIC_BASE_URL=http:\/\/([^:]+):(\d+)\n/, warn: /lapse replay: warning: listening on 0\.0\.0\.0/ },
  { name: 'lapse view', args: (h) => ['view', FIXTURE, '--no-open', ...h], ready: /http:\/\/([^:]+):(\d+)\/\n/, warn: /lapse view: warning: listening on 0\.0\.0\.0/ },
];

describe.skipIf(!procNet)('binding', () => {
  for (const s of servers) {
    it(`${s.name} listens on 127.0.0.1 only by default, without a warning`, async () => {
      const srv = await startCli(s.args([]), s.ready);
      running.push(srv);
      expect(srv.match).not.toBeNull();
      const port = Number(srv.match![2]);
      expect(srv.match![1]).toBe('127.0.0.1');
      expect(listeners(port)).toEqual(['127.0.0.1']);
      expect(srv.stderr()).not.toMatch(/warning/);
      const outside = outsideAddress();
      if (outside) expect(await connects(outside, port)).toBe(false);
    });

    it(`${s.name} --host 0.0.0.0 listens everywhere, and warns`, async () => {
      const srv = await startCli(s.args(['--host', '0.0.0.0']), s.ready);
      running.push(srv);
      expect(srv.match).not.toBeNull();
      const port = Number(srv.match![2]);
      expect(listeners(port)).toEqual(['0.0.0.0']);
      for (let i = 0; i < 50 && !s.warn.test(srv.stderr()); i++) await new Promise((r) => setTimeout(r, 20));
      expect(srv.stderr()).toMatch(s.warn);
      const outside = outsideAddress();
      if (outside) expect(await connects(outside, port)).toBe(true);
    });
  }

  it('lapse record --host 0.0.0.0 warns and still points the harness at a reachable address', async () => {
    const r = await runCli(['record', '--host', '0.0.0.0', '--anthropic-upstream', 'http://127.0.0.1:9', '--openai-upstream', 'http://127.0.0.1:9/v1', '--no-watch', '-o', join(tmpDir(), 'r.lapse'), '--', process.execPath, '-e', 'console.log("harness sees " + process.env.ANTHROPIC_BASE_URL)'], { env: cliEnv() });
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/lapse record: warning: listening on 0\.0\.0\.0/);
    expect(r.stdout).toMatch(/harness sees http:\/\/127\.0\.0\.1:\d+\n/);
    const quiet = await runCli(['record', '-q', '--no-watch', '-o', join(tmpDir(), 'q.lapse'), '--', process.execPath, '-e', '0'], { env: cliEnv() });
    expect(quiet.stderr).toBe('');
  });

  it('lapse view refuses requests with a foreign Host header (DNS rebinding)', async () => {
    const srv = await startCli(['view', FIXTURE, '--no-open'], /http:\/\/127\.0\.0\.1:(\d+)\/\n/);
    running.push(srv);
    const port = Number(srv.match![1]);
    expect(await get(port, '/', `127.0.0.1:${port}`)).toBe(200);
    expect(await get(port, '/', `localhost:${port}`)).toBe(200);
    expect(await get(port, '/trace.lapse', `127.0.0.1:${port}`)).toBe(200);
    for (const host of ['evil.example', `evil.example:${port}`, `attacker.127.0.0.1.nip.io:${port}`, `127.0.0.1:${port + 1}`, `localhost.evil.example:${port}`, '127.0.0.1']) {
      expect({ host, page: await get(port, '/', host), trace: await get(port, '/trace.lapse', host) }).toEqual({ host, page: 403, trace: 403 });
    }
    // no Host at all: refused too (Node answers 400 before the viewer sees it)
    expect(await get(port, '/trace.lapse', null)).toBeGreaterThanOrEqual(400);
  });

  describe('the recording proxy relays only to its upstreams, for harnesses only', () => {
    let upstream: Upstream;
    let evil: Upstream;
    let proxy: CliServer & { match: RegExpExecArray | null };
    let trace: string;
    const ok = (port: number) => `POST /v1/messages HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nContent-Type: application/json\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}`;
    const ws = (port: number, path: string, extra = '', host = `127.0.0.1:${port}`) =>
      `GET ${path} HTTP/1.1\r\nHost: ${host}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n${extra}\r\n`;

    it('refuses foreign Host headers, browser Origins and paths that leave the upstream, over HTTP and WebSocket', async () => {
      upstream = await startUpstream((_req, res) => res.end('{"ok":true}'));
      evil = await startUpstream((_req, res) => res.end('evil'));
      trace = join(tmpDir(), 'refused.lapse');
      proxy = await startCli(['proxy', '-o', trace, '--anthropic-upstream', upstream.url, '--openai-upstream', `${upstream.url}/v1`, '--gemini-upstream', upstream.url], /ANTHROPIC_BASE_URL=http:\/\/127\.0\.0\.1:(\d+)\n/);
      running.push(proxy);
      const port = Number(proxy.match![1]);
      const evilHost = `127.0.0.1:${evil.port}`;
      // a harness's own request goes through, and so does one without the /v1 prefix (OpenCode's)
      expect(await rawStatus(port, ok(port))).toBe(200);
      expect(await rawStatus(port, ok(port).replace('/v1/messages', '/messages'))).toBe(200);
      expect(upstream.requests.map((r) => r.url)).toEqual(['/v1/messages', '/v1/messages']);

      const cases: Array<[string, string, number]> = [
        ['foreign Host', ok(port).replace(`Host: 127.0.0.1:${port}`, 'Host: evil.example'), 403],
        ['Host naming another port', ok(port).replace(`Host: 127.0.0.1:${port}`, `Host: ${evilHost}`), 403],
        ['rebinding name', ok(port).replace(`Host: 127.0.0.1:${port}`, `Host: attacker.127.0.0.1.nip.io:${port}`), 403],
        ['browser Origin', ok(port).replace('Connection: close', 'Origin: https://evil.example\r\nConnection: close'), 403],
        ['Origin null (sandboxed page)', ok(port).replace('Connection: close', 'Origin: null\r\nConnection: close'), 403],
        ['Sec-Fetch-Site cross-site', ok(port).replace('Connection: close', 'Sec-Fetch-Site: cross-site\r\nConnection: close'), 403],
        ['//host path', ok(port).replace('POST /v1/messages', `POST //${evilHost}/v1/messages`), 400],
        ['/\\host path', ok(port).replace('POST /v1/messages', `POST /\\${evilHost}/v1/messages`), 400],
        ['dot segments', ok(port).replace('POST /v1/messages', 'POST /v1/../../x'), 400],
        ['encoded dot segments', ok(port).replace('POST /v1/messages', 'POST /v1/%2e%2e/%2E%2E/x'), 400],
        ['absolute URL (forward-proxy form)', ok(port).replace('POST /v1/messages', `POST http://${evilHost}/v1/messages`), 400],
        ['WebSocket, foreign Host', ws(port, '/v1/responses', '', 'evil.example'), 403],
        ['WebSocket, browser Origin', ws(port, '/v1/responses', 'Origin: https://evil.example\r\n'), 403],
        ['WebSocket, //host path', ws(port, `//${evilHost}/v1/responses`), 400],
        ['WebSocket, dot segments', ws(port, '/v1/../../responses'), 400],
      ];
      for (const [what, text, status] of cases) expect({ what, status: await rawStatus(port, text) }).toEqual({ what, status });
      expect(evil.requests).toEqual([]);
      expect(upstream.requests).toHaveLength(2);
      for (let i = 0; i < 50 && !/refused a request/.test(proxy.stderr()); i++) await new Promise((r) => setTimeout(r, 20));
      expect(proxy.stderr()).toMatch(/warning: refused a request \(Host "evil\.example" is not this proxy's address\); shown once/);
      proxy.child.kill('SIGTERM');
      await proxy.done;
      running.splice(running.indexOf(proxy), 1);
      // refused requests are not in the trace: only the two relayed ones
      const recs = loadTrace(trace).records;
      expect(recs.filter((r) => r.kind === 'http-request').map((r) => (r as { url: string }).url)).toEqual(['/v1/messages', '/messages']);
      expect(recs.some((r) => r.kind === 'ws-open')).toBe(false);
      await upstream.close();
      await evil.close();
    });
  });
});

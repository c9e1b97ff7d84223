// HTTPS and WSS upstreams through `lapse proxy`: certificates are verified as Node always does (a CA
// the user trusts via NODE_EXTRA_CA_CERTS works; a self-signed one does not), and the TLS connection
// is kept alive across requests.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import https from 'node:https';
import http from 'node:http';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WebSocket, WebSocketServer } from 'ws';
import { loadTrace } from '../../cli/trace/load.js';
import type { HttpEndRecord } from '../../format/types.js';
import { closeWss, sse, withLapseProxy } from './helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'lapse-tls-'));
let server: https.Server;
let wss: WebSocketServer;
let port = 0;
let tlsConnections = 0;

beforeAll(async () => {
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem'), '-days', '1', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1'], { stdio: 'ignore' });
  server = https.createServer({ key: readFileSync(join(dir, 'key.pem')), cert: readFileSync(join(dir, 'cert.pem')) }, (req, res) => {
    req.resume();
    req.on('end', () => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.end(sse('message_stop', { type: 'message_stop', tls: true }));
    });
  });
  server.on('secureConnection', () => tlsConnections++);
  wss = new WebSocketServer({ server });
  wss.on('connection', (s) => s.on('message', (d) => s.send(`echo ${d}`)));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  port = (server.address() as { port: number }).port;
});
afterAll(async () => {
  await closeWss(wss);
  await new Promise<void>((r) => server.close(() => r()));
  rmSync(dir, { recursive: true, force: true });
});

async function withProxy(env: NodeJS.ProcessEnv, fn: (base: string) => Promise<void>): Promise<string> {
  const trace = join(dir, `t${Math.random().toString(36).slice(2)}.lapse`);
  const up = `https://127.0.0.1:${port}`;
  await withLapseProxy(trace, ['--anthropic-upstream', up, '--openai-upstream', `${up}/v1`], env, fn);
  return trace;
}

function post(base: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = http.request(`${base}/v1/messages`, { method: 'POST', agent: false }, (res) => {
      let body = '';
      res.on('data', (c) => (body += c));
      res.on('end', () => resolve(body));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end('{}');
  });
}

describe('TLS upstreams', () => {
  it('verifies the certificate against the CAs the user trusts, keeps the TLS connection alive, relays wss', async () => {
    tlsConnections = 0;
    await withProxy({ NODE_EXTRA_CA_CERTS: join(dir, 'cert.pem') }, async (base) => {
      expect(await post(base)).toContain('"tls":true');
      await new Promise((r) => setTimeout(r, 50));
      expect(await post(base)).toContain('"tls":true');
      expect(tlsConnections).toBe(1);
      const ws = new WebSocket(`${base.replace('http', 'ws')}/v1/responses`);
      const reply = await new Promise<string>((resolve, reject) => {
        ws.on('open', () => ws.send('hi'));
        ws.on('message', (d) => resolve(String(d)));
        ws.on('error', reject);
      });
      expect(reply).toBe('echo hi');
      ws.close();
    });
  });

  it('refuses an untrusted certificate: the harness sees a connection error, the trace says why', async () => {
    let outcome = '';
    const trace = await withProxy({}, async (base) => {
      outcome = await post(base).then(
        () => 'answered',
        (err: NodeJS.ErrnoException) => err.code ?? err.message,
      );
    });
    expect(outcome).toBe('ECONNRESET');
    const end = loadTrace(trace).records.find((r) => r.kind === 'http-end') as HttpEndRecord;
    expect(end.outcome).toBe('error');
    expect(end.message).toMatch(/SELF_SIGNED|self-signed/i);
  });
});

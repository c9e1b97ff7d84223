// Secrets never reach the disk: a harness sends keys in every listed header (authorization, x-api-key,
// proxy-authorization, cookie, api-key; set-cookie comes back from the upstream), in request and
// response bodies, in query strings, in its argv, and in a WebSocket handshake (headers, query,
// subprotocol) and messages — through `lapse record` and through `lapse proxy`. Then no distinctive
// piece of any key may appear in the raw trace bytes, the decoded records (bodies rebuilt and raw),
// any export (har, chrome, otlp), `lapse dump` (text, --json, --raw) or `lapse stats --json`.
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { WebSocketServer } from 'ws';
import { cliEnv, removeTmpDirs, ROOT, runCli, runNode, sleep, sse, startCli, startUpstream, tmpDir, type Upstream } from './helpers.js';
import { everyView, leaks, pieces } from './views.js';

let cleanup: Array<() => Promise<unknown> | void> = [];
afterEach(async () => {
  for (const c of cleanup.reverse()) await c();
  cleanup = [];
});
afterAll(() => removeTmpDirs());

/** A random tail per run, so that any piece of a key found anywhere can only come from the key. */
const rnd = (n: number) => Array.from({ length: n }, () => 'ABCDEFGHJKLMNPQRSTUVWXYZabcdefghjkmnpqrstuvwxyz23456789'[Math.floor(Math.random() * 55)]).join('');
const key = (prefix: string, name: string) => `${prefix}LEAK${name}${rnd(24)}`;
const KEYS = {
  authorization: key('sk-ant-api03-', 'authorization'),
  xApiKey: key('sk-ant-api03-', 'xapikey'),
  proxyAuthorization: key('', 'proxyauth'),
  cookie: key('', 'cookie'),
  setCookie: key('', 'setcookie'),
  apiKey: key('', 'apikeyheader'), // Azure-style: not sk-shaped, secret by its header's name
  requestBody: key('sk-proj-', 'requestbody'),
  responseEvent: key('sk-proj-', 'responseevent'),
  responseJson: key('sk-proj-', 'responsejson'),
  splitResponse: key('sk-ant-api03-', 'splitresponse'),
  namedQuery: key('', 'namedquery'),
  keyInQuery: key('sk-ant-api03-', 'queryvalue'),
  argv: key('sk-ant-api03-', 'argv'),
  wsAuthorization: key('sk-proj-', 'wsauthorization'),
  wsApiKey: key('', 'wsapikey'),
  wsCookie: key('', 'wscookie'),
  wsQuery: key('', 'wsquery'),
  wsSubprotocol: key('sk-proj-', 'wssubprotocol'),
  wsUp: key('sk-proj-', 'wsupmessage'),
  wsDown: key('sk-proj-', 'wsdownmessage'),
};
/** What must never be found: every 10-character window of each key's random tail. */
const PIECES = pieces(Object.fromEntries(Object.entries(KEYS).map(([k, v]) => [k, v.slice(-24)])));

const HARNESS = `
import { WebSocket } from ${JSON.stringify(join(ROOT, 'node_modules/ws/wrapper.mjs'))};
const K = JSON.parse(process.env.KEYS);
const A = process.env.ANTHROPIC_BASE_URL, O = process.env.OPENAI_BASE_URL;
const r1 = await fetch(A + '/v1/messages?beta=true&key=' + K.namedQuery + '&foo=' + K.keyInQuery, {
  method: 'POST',
  headers: { 'content-type': 'application/json', authorization: 'Bearer ' + K.authorization, 'x-api-key': K.xApiKey, 'proxy-authorization': 'Basic ' + K.proxyAuthorization, cookie: 'session=' + K.cookie + '; theme=dark', 'api-key': K.apiKey, 'anthropic-version': '2023-06-01' },
  body: JSON.stringify({ model: 'claude-test', stream: true, max_tokens: 9, messages: [{ role: 'user', content: 'my key is ' + K.requestBody + ', keep it safe' }] }),
});
const t1 = await r1.text();
const r2 = await fetch(O + '/chat/completions', { method: 'POST', headers: { 'content-type': 'application/json', authorization: 'Bearer ' + K.authorization }, body: JSON.stringify({ model: 'gpt-test', messages: [{ role: 'user', content: 'hi' }] }) });
const t2 = await r2.text();
const ws = new WebSocket(O.replace('http:', 'ws:') + '/responses?api_key=' + K.wsQuery, ['openai-insecure-api-key.' + K.wsSubprotocol, 'realtime'], { headers: { authorization: 'Bearer ' + K.wsAuthorization, 'api-key': K.wsApiKey, cookie: 'ws=' + K.wsCookie } });
await new Promise((res, rej) => (ws.once('open', res), ws.once('error', rej)));
const down = new Promise((res) => ws.once('message', (d) => res(d.toString())));
ws.send(JSON.stringify({ type: 'response.create', input: 'the key ' + K.wsUp }));
const t3 = await down;
ws.close(1000);
await new Promise((res) => ws.once('close', res));
const ok = t1.includes(K.responseEvent) && t2.includes(K.responseJson) && t2.includes(K.splitResponse) && t3.includes(K.wsDown) && r1.headers.get('set-cookie')?.includes(K.setCookie);
console.log(ok ? 'harness: every key went through' : 'harness: something was lost ' + JSON.stringify([t1, t2, t3]));
`;

async function keyedUpstream(): Promise<{ up: Upstream; wss: WebSocketServer; seen: string[] }> {
  const seen: string[] = [];
  const up = await startUpstream(async (req, res, body) => {
    seen.push(`${req.url} ${JSON.stringify(req.headers)} ${body.toString()}`);
    if (req.url!.startsWith('/v1/messages')) {
      res.writeHead(200, { 'content-type': 'text/event-stream', 'set-cookie': `sid=${KEYS.setCookie}; HttpOnly` });
      res.write(sse('message_start', { type: 'message_start', message: { id: 'm', usage: { input_tokens: 1 } } }));
      res.write(sse('content_block_delta', { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: `your key ${KEYS.responseEvent}` } }));
      res.end(sse('message_stop', { type: 'message_stop' }));
      return;
    }
    // A JSON answer whose second key arrives in two TCP writes, split in the middle of the key.
    const json = JSON.stringify({ id: 'c', choices: [{ index: 0, message: { role: 'assistant', content: `${KEYS.responseJson} and ${KEYS.splitResponse}` }, finish_reason: 'stop' }] });
    const cut = json.indexOf(KEYS.splitResponse) + 24;
    res.writeHead(200, { 'content-type': 'application/json' });
    res.write(json.slice(0, cut));
    await sleep(60);
    res.end(json.slice(cut));
  });
  const wss = new WebSocketServer({ server: up.server, handleProtocols: (p) => [...p][0] });
  wss.on('connection', (s, req) => {
    seen.push(`ws ${req.url} ${JSON.stringify(req.headers)}`);
    s.on('message', (d) => {
      seen.push(`ws message ${d.toString()}`);
      s.send(JSON.stringify({ type: 'response.output_text.delta', delta: `here: ${KEYS.wsDown}` }));
    });
  });
  cleanup.push(
    () => up.close(),
    () => {
      for (const c of wss.clients) c.terminate();
      return new Promise<void>((r) => wss.close(() => r()));
    },
  );
  return { up, wss, seen };
}

const leaksOf = (views: Record<string, string>) => leaks(views, PIECES);

describe('secrets', () => {
  it('through lapse record: every key reaches the upstream, none reaches the trace or anything made from it', async () => {
    const { up, seen } = await keyedUpstream();
    const dir = tmpDir();
    const script = join(dir, 'harness.mjs');
    writeFileSync(script, HARNESS);
    const trace = join(dir, 'secrets.lapse');
    const r = await runCli(['record', '-o', trace, '--no-watch', '--anthropic-upstream', up.url, '--openai-upstream', `${up.url}/v1`, '--', process.execPath, script, '--api-key', KEYS.argv], { env: cliEnv({ KEYS: JSON.stringify(KEYS) }) });
    expect(r.stdout).toContain('harness: every key went through');
    expect(r.code).toBe(0);
    // lapse forwarded them all unchanged (else this test would prove nothing)
    const upstreamSaw = seen.join('\n');
    for (const k of ['authorization', 'xApiKey', 'proxyAuthorization', 'cookie', 'apiKey', 'requestBody', 'namedQuery', 'keyInQuery', 'wsAuthorization', 'wsApiKey', 'wsCookie', 'wsQuery', 'wsSubprotocol', 'wsUp'] as const) {
      expect({ k, forwarded: upstreamSaw.includes(KEYS[k]) }).toEqual({ k, forwarded: true });
    }
    const views = await everyView(trace);
    expect(views['decoded records']).toContain('[redacted:');
    console.log(`secrets (lapse record): ${Object.keys(KEYS).length} keys, ${Object.keys(views).length} views searched`);
    expect(leaksOf(views)).toEqual([]);
  }, 90_000);

  it('through lapse proxy: the same', async () => {
    const { up } = await keyedUpstream();
    const dir = tmpDir();
    const script = join(dir, 'harness.mjs');
    writeFileSync(script, HARNESS);
    const trace = join(dir, 'secrets-proxy.lapse');
    const proxy = await startCli(['proxy', '-o', trace, '--anthropic-upstream', up.url, '--openai-upstream', `${up.url}/v1`], /OPENAI_BASE_URL=(\S+)\n/);
    expect(proxy.match).not.toBeNull();
    const anthropic = /ANTHROPIC_BASE_URL=(\S+)\n/.exec(proxy.stdout())![1];
    const h = await runNode([script, '--api-key', KEYS.argv], { env: { PATH: process.env.PATH, KEYS: JSON.stringify(KEYS), ANTHROPIC_BASE_URL: anthropic, OPENAI_BASE_URL: proxy.match![1] }, timeoutMs: 30_000 });
    expect(h.stdout).toContain('harness: every key went through');
    proxy.child.kill('SIGINT');
    expect((await proxy.done).code).toBe(0);
    const views = await everyView(trace);
    expect(leaksOf(views)).toEqual([]);
  }, 90_000);
});

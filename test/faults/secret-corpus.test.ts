// The secret corpus (secret-corpus.ts: every kind of FAKE secret) through `lapse record`, in every place
// a real session carries one: a tool result (.env and key files in a request body, one key JSON-escaped
// as `sk\u002dant-…`), custom auth headers, signed-URL parameters, the upstream URL's userinfo, the
// harness's argv, streamed whole in one SSE delta, split across TCP writes, split across many SSE
// deltas, in tool-call argument deltas, in OpenAI Chat deltas, and in the watcher's diffs of `.env`,
// `.npmrc` and `id_rsa`. The harness gets every byte; no 10-character piece of any secret is in the
// trace bytes, the decoded records, `dump`, `dump --json`, any export or `stats`.
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { removeTmpDirs, cliEnv, runCli, sleep, sse, startUpstream, tmpDir, type Upstream } from './helpers.js';
import { dotenv, randomParts, secretCorpus, type FakeSecret } from './secret-corpus.js';
import { everyView, leaks, pieces } from './views.js';

let cleanup: Array<() => Promise<unknown> | void> = [];
afterEach(async () => {
  for (const c of cleanup.reverse()) await c();
  cleanup = [];
});
afterAll(() => removeTmpDirs());

const PLACES = ['toolResult', 'whole', 'chunks', 'deltas', 'toolArgs', 'chat', 'diff'] as const;
type Place = (typeof PLACES)[number];

/** Cuts `text` into pieces of 2 to 6 characters. */
function smallPieces(text: string): string[] {
  const out: string[] = [];
  for (let i = 0; i < text.length; ) {
    const n = 2 + Math.floor(Math.random() * 5);
    out.push(text.slice(i, i + n));
    i += n;
  }
  return out;
}

const value = (c: FakeSecret[], kind: string) => c.find((x) => x.kind === kind)!.value;

const HARNESS = `
import { writeFileSync } from 'node:fs';
const C = JSON.parse(process.env.CORPUS);
const H = JSON.parse(process.env.HEADERS);
const A = process.env.ANTHROPIC_BASE_URL, O = process.env.OPENAI_BASE_URL;
// a JSON-escaped key: the body is written by hand with \\u002d for the dashes of one key
const escapedKey = C.escaped;
const body = JSON.stringify({ model: 'claude-test', stream: true, max_tokens: 99, messages: [
  { role: 'user', content: 'read my config' },
  { role: 'assistant', content: [{ type: 'tool_use', id: 'toolu_1', name: 'Read', input: { path: '.env' } }] },
  { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_1', content: C.toolResultEnv }, { type: 'text', text: 'ESCAPED_KEY' }] },
] }).replace('ESCAPED_KEY', escapedKey.replaceAll('-', '\\\\u002d'));
const r1 = await fetch(A + '/v1/messages?beta=true&sig=' + H.sig + '&X-Amz-Signature=' + H.amzSig + '&code=' + H.code, {
  method: 'POST',
  headers: { 'content-type': 'application/json', 'anthropic-version': '2023-06-01', 'x-auth-token': H.xAuthToken, 'x-api-token': H.xApiToken, 'x-custom-secret': H.xCustomSecret, authorization: 'Bearer ' + H.jwt },
  body,
});
const t1 = await r1.text();
const r2 = await fetch(O + '/chat/completions', { method: 'POST', headers: { 'content-type': 'application/json', authorization: 'Bearer ' + H.openai }, body: JSON.stringify({ model: 'gpt-test', stream: true, messages: [{ role: 'user', content: 'hi' }] }) });
const t2 = await r2.text();
writeFileSync('.env', C.diffEnv);
writeFileSync('.npmrc', '//registry.npmjs.org/:_authToken=' + C.npmrc + '\\n');
writeFileSync('id_rsa', C.idRsa + '\\n');
await new Promise((r) => setTimeout(r, 700)); // the watcher's batch
const joined = (t) => t.split('\\n').filter((l) => l.startsWith('data: {')).map((l) => { const d = JSON.parse(l.slice(6)); return d.delta?.text ?? d.delta?.partial_json ?? d.choices?.[0]?.delta?.content ?? ''; }).join('');
const got = joined(t1) + joined(t2);
const missing = C.streamed.filter((v) => !got.includes(v) && !t1.includes(v));
console.log(missing.length ? 'harness: missing ' + missing.length : 'harness: every secret went through');
`;

describe('secret corpus', () => {
  it('finds none of the corpus in the trace or anything made from it', async () => {
    const corpora = Object.fromEntries(PLACES.map((p) => [p, secretCorpus(p)])) as Record<Place, FakeSecret[]>;
    const single = secretCorpus('single');
    const headers = {
      xAuthToken: `FAKExauth${Math.random().toString(36).slice(2)}${Math.random().toString(36).slice(2)}`,
      xApiToken: `FAKExapi${Math.random().toString(36).slice(2)}${Math.random().toString(36).slice(2)}`,
      xCustomSecret: `FAKExcustom${Math.random().toString(36).slice(2)}${Math.random().toString(36).slice(2)}`,
      jwt: value(single, 'jwt'),
      openai: value(single, 'openai'),
      sig: `FAKEsig${Math.random().toString(36).slice(2)}${Math.random().toString(36).slice(2)}`,
      amzSig: `fa4e${Math.random().toString(16).slice(2)}${Math.random().toString(16).slice(2)}`,
      code: `FAKEcode${Math.random().toString(36).slice(2)}${Math.random().toString(36).slice(2)}`,
    };
    const argvCorpus = secretCorpus('argv');
    const upstreamPassword = `FAKEupw${Math.random().toString(36).slice(2)}${Math.random().toString(36).slice(2)}`;
    const escapedSecret = secretCorpus('escaped').find((c) => c.kind === 'anthropic')!;
    const escaped = escapedSecret.value;
    const streamed = [...corpora.whole, ...corpora.chunks, ...corpora.deltas, ...corpora.chat].map((c) => c.value);

    const up: Upstream = await startUpstream(async (req, res) => {
      if (req.url!.startsWith('/v1/messages')) {
        res.writeHead(200, { 'content-type': 'text/event-stream' });
        res.write(sse('message_start', { type: 'message_start', message: { id: 'msg_1', usage: { input_tokens: 10 } } }));
        const text = (t: string) => sse('content_block_delta', { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: t } });
        res.write(sse('content_block_start', { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } }));
        for (const c of corpora.whole) res.write(text(`Found in your config: ${c.line}\n`));
        for (const c of corpora.deltas) for (const p of smallPieces(`${c.line}\n`)) res.write(text(p));
        for (const c of corpora.chunks) {
          // one event, its bytes in two TCP writes cut inside the secret
          const ev = text(`it says ${c.line}\n`);
          const cut = ev.indexOf(c.value) + Math.floor(c.value.length / 2);
          res.write(ev.slice(0, cut));
          await sleep(25);
          res.write(ev.slice(cut));
        }
        res.write(sse('content_block_stop', { type: 'content_block_stop', index: 0 }));
        res.write(sse('content_block_start', { type: 'content_block_start', index: 1, content_block: { type: 'tool_use', id: 'toolu_2', name: 'Write', input: {} } }));
        for (const p of smallPieces(JSON.stringify({ path: '.env', content: dotenv(corpora.toolArgs) }))) res.write(sse('content_block_delta', { type: 'content_block_delta', index: 1, delta: { type: 'input_json_delta', partial_json: p } }));
        res.write(sse('content_block_stop', { type: 'content_block_stop', index: 1 }));
        res.write(sse('message_delta', { type: 'message_delta', delta: { stop_reason: 'tool_use' }, usage: { output_tokens: 500 } }));
        res.end(sse('message_stop', { type: 'message_stop' }));
        return;
      }
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      for (const c of corpora.chat) for (const p of smallPieces(`${c.line}\n`)) res.write(`data: ${JSON.stringify({ id: 'c1', choices: [{ index: 0, delta: { content: p } }] })}\n\n`);
      res.end('data: [DONE]\n\n');
    });
    cleanup.push(() => up.close());

    const dir = tmpDir();
    const work = join(dir, 'work');
    mkdirSync(work);
    const script = join(dir, 'harness.mjs');
    writeFileSync(script, HARNESS);
    const trace = join(dir, 'corpus.lapse');
    const upstream = up.url.replace('http://', `http://fakeuser:${upstreamPassword}@`);
    const env = cliEnv({
      CORPUS: JSON.stringify({
        toolResultEnv: dotenv(corpora.toolResult),
        diffEnv: dotenv(corpora.diff),
        npmrc: value(corpora.diff, 'npm'),
        idRsa: value(corpora.diff, 'rsa-private-key'),
        escaped,
        streamed,
      }),
      HEADERS: JSON.stringify(headers),
    });
    const argv = ['--github-token', value(argvCorpus, 'github-pat'), `--api-key=${value(argvCorpus, 'openai')}`, '--password', value(argvCorpus, 'db-password'), '--aws-secret-access-key', value(argvCorpus, 'aws-secret-access-key')];
    const r = await runCli(['record', '-o', trace, '--watch', work, '--anthropic-upstream', upstream, '--openai-upstream', `${up.url}/v1`, '--', process.execPath, script, ...argv], { env, cwd: work, timeoutMs: 60_000 });
    expect(r.stdout, r.stderr).toContain('harness: every secret went through');
    expect(r.code).toBe(0);
    // the upstream got the secrets (else this proves nothing)
    const sent = up.requests.map((q) => `${q.url} ${JSON.stringify(q.headers)} ${q.body.toString()}`).join('\n');
    for (const v of [headers.xAuthToken, headers.xApiToken, headers.sig, headers.code, ...corpora.toolResult.map((c) => JSON.stringify(c.value).slice(1, -1))]) expect(sent).toContain(v);
    expect(sent).toContain(escaped.replaceAll('-', '\\u002d'));

    const find = pieces({
      ...randomParts({ ...corpora, argv: argvCorpus, single }),
      escaped: escapedSecret.random,
      ...Object.fromEntries(Object.entries(headers).filter(([k]) => k !== 'jwt' && k !== 'openai').map(([k, v]) => [`header/${k}`, v.slice(4)])),
      upstreamPassword: upstreamPassword.slice(4),
    });
    const views = await everyView(trace);
    expect(views['decoded records']).toContain('[redacted:');
    // the session still reads as a session: both requests, the tool call, the file changes
    const stats = JSON.parse(views['lapse stats --json'].slice(0, views['lapse stats --json'].lastIndexOf('}') + 1));
    expect(stats.requests.map((q: { toolCalls: string[] }) => q.toolCalls)).toEqual([['Write'], []]);
    expect(stats.files.map((f: { path: string }) => f.path).sort()).toEqual(['.env', '.npmrc', 'id_rsa']);
    console.log(`secret corpus: ${Object.keys(find).length} secrets (${PLACES.length + 3} places), ${Object.keys(views).length} views searched`);
    expect(leaks(views, find)).toEqual([]);
  }, 300_000);
});

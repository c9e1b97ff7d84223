import { describe, expect, it } from 'vitest';
import { baseUrlsAt, chooseApi, resolveUpstreams, route, targetUrl, unsafePath } from '../../cli/record/upstreams.js';
import { childArgs, childEnv, defaultApiFor, harnessName } from '../../cli/record/harness.js';
import { HARNESSES, harnessSpec } from '../../cli/record/harnesses.js';
import { bypassHint } from '../../cli/record/bypass.js';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const URLS = baseUrlsAt('http://127.0.0.1:5');

describe('upstream routing', () => {
  it('defaults to the caller’s base URLs, else the official endpoints; flags win', () => {
    expect(resolveUpstreams({}, {})).toEqual({ anthropic: 'https://api.anthropic.com', openai: 'https://api.openai.com/v1', gemini: 'https://generativelanguage.googleapis.com', codeAssist: 'https://cloudcode-pa.googleapis.com' });
    expect(resolveUpstreams({}, { CODE_ASSIST_ENDPOINT: 'http://localhost:8' }).codeAssist).toBe('http://localhost:8');
    expect(resolveUpstreams({ codeAssistUpstream: 'http://127.0.0.1:6' }, { CODE_ASSIST_ENDPOINT: 'http://x' }).codeAssist).toBe('http://127.0.0.1:6');
    expect(resolveUpstreams({}, { ANTHROPIC_BASE_URL: 'https://gw.example/anthropic/', OPENAI_BASE_URL: 'http://localhost:9/v1', GOOGLE_GEMINI_BASE_URL: 'http://localhost:7' })).toEqual({
      anthropic: 'https://gw.example/anthropic',
      openai: 'http://localhost:9/v1',
      gemini: 'http://localhost:7',
      codeAssist: 'https://cloudcode-pa.googleapis.com',
    });
    expect(resolveUpstreams({ geminiUpstream: 'http://127.0.0.1:6' }, { GOOGLE_GEMINI_BASE_URL: 'http://x' }).gemini).toBe('http://127.0.0.1:6');
    // a gateway URL with user:password is accepted (the trace stores it redacted: test/faults/secret-corpus)
    expect(resolveUpstreams({ openaiUpstream: 'https://user:pw@gw.example/v1' }, {}).openai).toBe('https://user:pw@gw.example/v1');
    expect(resolveUpstreams({ openaiUpstream: 'http://127.0.0.1:5/v1' }, { OPENAI_BASE_URL: 'http://x/v1' }).openai).toBe('http://127.0.0.1:5/v1');
    expect(() => resolveUpstreams({ anthropicUpstream: 'ftp://x' }, {})).toThrow(/http/);
    expect(() => resolveUpstreams({ anthropicUpstream: 'nope' }, {})).toThrow(/not a URL/);
  });

  it('routes by path, then by Anthropic headers, then by the harness default', () => {
    expect(chooseApi('/v1/messages?beta=true', {})).toBe('anthropic');
    expect(chooseApi('/v1/messages/count_tokens', {})).toBe('anthropic');
    expect(chooseApi('/v1/responses', {})).toBe('openai');
    expect(chooseApi('/v1/chat/completions', {})).toBe('openai');
    expect(chooseApi('/v1/models', {})).toBe('openai');
    expect(chooseApi('/v1/models', { 'anthropic-version': '2023-06-01' })).toBe('anthropic');
    expect(chooseApi('/', {}, 'anthropic')).toBe('anthropic');
    expect(chooseApi('/v1/messagesX', {})).toBe('openai');
    expect(chooseApi('/messages', {})).toBe('anthropic');
    expect(chooseApi('/chat/completions', {}, 'anthropic')).toBe('openai');
    expect(chooseApi('/responses', {}, 'anthropic')).toBe('openai');
    expect(chooseApi('/v1beta/models/gemini-2.5-pro:streamGenerateContent?alt=sse', {})).toBe('gemini');
    expect(chooseApi('/models/gemini-2.5-pro:generateContent', {})).toBe('gemini');
    expect(chooseApi('/v1/models/gemini-2.5-pro:countTokens', {})).toBe('gemini');
    expect(chooseApi('/v1beta/models', {})).toBe('gemini');
    expect(chooseApi('/v1/models', { 'x-goog-api-key': 'k' })).toBe('gemini');
    expect(chooseApi('/v1/models?key=k', {})).toBe('gemini');
    expect(chooseApi('/', {}, 'gemini')).toBe('gemini');
    // Gemini CLI logged in with Google: Code Assist, whatever the method
    expect(chooseApi('/v1internal:streamGenerateContent?alt=sse', {}, 'gemini')).toBe('codeAssist');
    expect(chooseApi('/v1internal:loadCodeAssist', {}, 'gemini')).toBe('codeAssist');
    expect(chooseApi('/v1internal/operations/abc', {})).toBe('codeAssist');
    expect(chooseApi('/v1internalx', {}, 'gemini')).toBe('gemini');
  });

  it('maps API paths with and without the version prefix onto the upstream base’s own path', () => {
    const up = resolveUpstreams({}, {});
    const to = (path: string, headers: Record<string, string> = {}, ups = up) => route(ups, path, headers, 'openai').target.href;
    // OpenCode's AI SDK posts /messages to a base it takes as ending in /v1
    expect(to('/messages')).toBe('https://api.anthropic.com/v1/messages');
    expect(to('/v1/messages?beta=true')).toBe('https://api.anthropic.com/v1/messages?beta=true');
    expect(to('/messages/count_tokens')).toBe('https://api.anthropic.com/v1/messages/count_tokens');
    expect(to('/chat/completions')).toBe('https://api.openai.com/v1/chat/completions');
    expect(to('/v1/chat/completions')).toBe('https://api.openai.com/v1/chat/completions');
    expect(to('/responses')).toBe('https://api.openai.com/v1/responses');
    expect(to('/v1/models', { 'anthropic-version': '2023-06-01' })).toBe('https://api.anthropic.com/v1/models');
    expect(to('/v1beta/models/gemini-2.5-pro:streamGenerateContent?alt=sse')).toBe('https://generativelanguage.googleapis.com/v1beta/models/gemini-2.5-pro:streamGenerateContent?alt=sse');
    expect(to('/models/gemini-2.5-pro:generateContent')).toBe('https://generativelanguage.googleapis.com/v1beta/models/gemini-2.5-pro:generateContent');
    expect(to('/v1internal:streamGenerateContent?alt=sse')).toBe('https://cloudcode-pa.googleapis.com/v1internal:streamGenerateContent?alt=sse');
    expect(to('/v1internal:onboardUser', {}, { ...up, codeAssist: 'https://gw.example/google/' })).toBe('https://gw.example/google/v1internal:onboardUser');
    // gateways: their own path is kept, a version they already end in is not doubled
    const gw = resolveUpstreams({}, { ANTHROPIC_BASE_URL: 'https://gw.example/anthropic/v1', OPENAI_BASE_URL: 'https://gw.example/openai', GOOGLE_GEMINI_BASE_URL: 'https://gw.example/google/v1beta' });
    expect(to('/messages', {}, gw)).toBe('https://gw.example/anthropic/v1/messages');
    expect(to('/v1/messages', {}, gw)).toBe('https://gw.example/anthropic/v1/messages');
    expect(to('/chat/completions', {}, gw)).toBe('https://gw.example/openai/chat/completions');
    expect(to('/v1beta/models/g:generateContent', {}, gw)).toBe('https://gw.example/google/v1beta/models/g:generateContent');
    expect(to('/models/g:generateContent', {}, gw)).toBe('https://gw.example/google/v1beta/models/g:generateContent');
  });

  it('refuses paths that could leave the upstream: //host, /\\host, dot segments', () => {
    for (const p of ['//evil.example/v1/messages', '/\\evil.example/x', '/%5cevil.example/x', '/v1/../../x', '/v1/%2e%2e/x', '/v1/./messages', '/v1/%2E/messages', 'evil.example/x', 'http://evil.example/v1/messages']) {
      expect(unsafePath(p), p).not.toBeNull();
    }
    for (const p of ['/v1/messages?beta=true', '/v1beta/models/g:streamGenerateContent?alt=sse', '/', '/v1/responses?x=..%2f']) expect(unsafePath(p), p).toBeNull();
    // the backstop: even unchecked, a target never leaves the base's origin
    for (const api of ['anthropic', 'openai', 'gemini', 'codeAssist'] as const) {
      for (const p of ['//evil.example/x', '/\\evil.example/x', '/../../x']) {
        let href = '';
        try {
          href = targetUrl(resolveUpstreams({}, {})[api], api, p).href;
        } catch {
          href = 'refused';
        }
        const base = new URL(resolveUpstreams({}, {})[api]);
        expect(href === 'refused' || new URL(href).origin === base.origin, `${api} ${p} → ${href}`).toBe(true);
      }
    }
  });

  it('maps the proxy’s /v1 onto an OpenAI base that has a path, and appends to an Anthropic base', () => {
    expect(targetUrl('https://api.openai.com/v1', 'openai', '/v1/responses').href).toBe('https://api.openai.com/v1/responses');
    expect(targetUrl('https://gw.example/openai', 'openai', '/v1/chat/completions?x=1').href).toBe('https://gw.example/openai/chat/completions?x=1');
    expect(targetUrl('https://api.openai.com/v1', 'openai', '/').href).toBe('https://api.openai.com/');
    expect(targetUrl('https://api.anthropic.com', 'anthropic', '/v1/messages?beta=true').href).toBe('https://api.anthropic.com/v1/messages?beta=true');
    expect(targetUrl('http://127.0.0.1:8080/gw', 'anthropic', '/v1/messages').href).toBe('http://127.0.0.1:8080/gw/v1/messages');
  });
});

describe('pointing a harness at the proxy', () => {
  it('names the harness by program, or by script for interpreters', () => {
    expect(harnessName('claude', ['-p', 'hi'])).toBe('claude');
    expect(harnessName('/usr/local/bin/codex', ['exec', 'x'])).toBe('codex');
    expect(harnessName('node', ['--inspect', 'agents/my-agent.js', '--x'])).toBe('my-agent');
    expect(harnessName('node', ['-e', 'console.log(1)'])).toBe('node');
    expect(harnessName('/usr/bin/node', ['/work/lapse/dist/cli/agent/main.js', '--protocol', 'x'])).toBe('agent');
    expect(harnessName('node', ['index.js'])).toBe('index');
    expect(harnessName('python3', ['-m', 'aider'])).toBe('aider');
  });

  it('gives codex its -c openai_base_url right after the program name, and nobody else', () => {
    expect(childArgs('codex', ['exec', 'hi'], URLS)).toEqual(['-c', 'openai_base_url="http://127.0.0.1:5/v1"', 'exec', 'hi']);
    expect(childArgs('/opt/bin/codex.js', ['exec'], URLS)).toEqual(['-c', 'openai_base_url="http://127.0.0.1:5/v1"', 'exec']);
    expect(childArgs('claude', ['-p', 'hi'], URLS)).toEqual(['-p', 'hi']);
    expect(childArgs('gemini', ['-p', 'hi'], URLS)).toEqual(['-p', 'hi']);
  });

  it('sets both base URLs and keeps loopback off an HTTP proxy', () => {
    const env = childEnv('node', { HTTPS_PROXY: 'http://corp:3128', NO_PROXY: 'corp.local' }, URLS, '/t');
    expect(env.ANTHROPIC_BASE_URL).toBe('http://127.0.0.1:5');
    expect(env.OPENAI_BASE_URL).toBe('http://127.0.0.1:5/v1');
    expect(env.GOOGLE_GEMINI_BASE_URL).toBe('http://127.0.0.1:5');
    expect(env.NO_PROXY).toBe('corp.local,127.0.0.1,localhost');
    expect(childEnv('node', {}, URLS, '/t').NO_PROXY).toBeUndefined();
  });

  it('points Copilot CLI’s own provider at the proxy per its type, and takes its base URL as the upstream', () => {
    const copilot = harnessSpec('copilot')!;
    const byok = { COPILOT_PROVIDER_TYPE: 'anthropic', COPILOT_PROVIDER_BASE_URL: 'https://gw.example/anthropic' };
    expect(childEnv('copilot', byok, URLS, '/t').COPILOT_PROVIDER_BASE_URL).toBe('http://127.0.0.1:5');
    expect(childEnv('copilot', { COPILOT_PROVIDER_BASE_URL: 'https://gw.example/v1' }, URLS, '/t').COPILOT_PROVIDER_BASE_URL).toBe('http://127.0.0.1:5/v1');
    expect(copilot.upstreams!(byok)).toEqual({ anthropic: 'https://gw.example/anthropic' });
    // without its own provider it talks to GitHub, which lapse cannot record: nothing is invented
    expect(childEnv('copilot', {}, URLS, '/t').COPILOT_PROVIDER_BASE_URL).toBeUndefined();
  });

  it('knows each listed harness by its program, and its vendor for paths of no API', () => {
    expect(HARNESSES.map((h) => h.name)).toEqual(['claude', 'codex', 'opencode', 'gemini', 'qwen', 'copilot', 'pi']);
    expect(defaultApiFor('/usr/bin/gemini', 'gemini')).toBe('gemini');
    expect(defaultApiFor('claude', 'claude')).toBe('anthropic');
    expect(defaultApiFor('qwen', 'qwen')).toBe('openai');
    expect(defaultApiFor('node', 'my-anthropic-agent')).toBe('anthropic');
    expect(harnessSpec('node')).toBeNull();
  });

  it("the README's harness table has a row for each listed harness: its programs, how it is pointed, protocol, tested how", () => {
    const readme = readFileSync(join(import.meta.dirname, '..', '..', 'README.md'), 'utf8');
    const rows = readme.split('\n').filter((l) => /^\| [^-|]/.test(l) && !l.startsWith('| harness |'));
    for (const h of HARNESSES) {
      const row = rows.find((r) => r.startsWith(`| ${h.label} (`));
      expect(row, `README row for ${h.label}`).toBeDefined();
      const cells = row!.split(' | ');
      expect(cells, row).toHaveLength(4);
      for (const p of h.programs) expect(cells[0]).toContain(`\`${p}\``);
      expect(cells.every((c) => c.trim().length > 3), row).toBe(true);
    }
  });

  it('names the likely config file when a harness bypassed the proxy', () => {
    const home = mkdtempSync(join(tmpdir(), 'lapse-bypass-'));
    try {
      const cwd = join(home, 'project');
      mkdirSync(join(home, '.gemini'), { recursive: true });
      mkdirSync(cwd);
      const gemini = harnessSpec('gemini')!;
      expect(bypassHint(gemini, 'gemini', 3, cwd, home)).toBeNull();
      expect(bypassHint(gemini, 'gemini', 0, cwd, home)).toMatch(/^no model request came through lapse: Gemini CLI bypassed the proxy; .*~\/\.gemini\/settings\.json/);
      writeFileSync(join(home, '.gemini', 'settings.json'), '{"theme":"x"}');
      writeFileSync(join(cwd, '.env'), 'GOOGLE_GEMINI_BASE_URL=https://elsewhere.example\n');
      expect(bypassHint(gemini, 'gemini', 0, cwd, home)).toContain('~/project/.env may point it elsewhere');
      expect(bypassHint(null, 'my-agent', 0, cwd, home)).toMatch(/my-agent may not read ANTHROPIC_BASE_URL, OPENAI_BASE_URL or GOOGLE_GEMINI_BASE_URL/);
    } finally {
      rmSync(home, { recursive: true, force: true });
    }
  });
});

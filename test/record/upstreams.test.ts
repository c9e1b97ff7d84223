import { describe, expect, it } from 'vitest';
import { chooseApi, resolveUpstreams, targetUrl } from '../../cli/record/upstreams.js';
import { childArgs, childEnv, harnessName } from '../../cli/record/harness.js';

describe('upstream routing', () => {
  it('defaults to the caller’s base URLs, else the official endpoints; flags win', () => {
    expect(resolveUpstreams({}, {})).toEqual({ anthropic: 'https://api.anthropic.com', openai: 'https://api.openai.com/v1' });
    expect(resolveUpstreams({}, { ANTHROPIC_BASE_URL: 'https://gw.example/anthropic/', OPENAI_BASE_URL: 'http://localhost:9/v1' })).toEqual({
      anthropic: 'https://gw.example/anthropic',
      openai: 'http://localhost:9/v1',
    });
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
    expect(childArgs('codex', ['exec', 'hi'], 'http://127.0.0.1:5/v1')).toEqual(['-c', 'openai_base_url="http://127.0.0.1:5/v1"', 'exec', 'hi']);
    expect(childArgs('claude', ['-p', 'hi'], 'http://127.0.0.1:5/v1')).toEqual(['-p', 'hi']);
  });

  it('sets both base URLs and keeps loopback off an HTTP proxy', () => {
    const env = childEnv({ HTTPS_PROXY: 'http://corp:3128', NO_PROXY: 'corp.local' }, { anthropic: 'http://127.0.0.1:5', openai: 'http://127.0.0.1:5/v1' }, '/t');
    expect(env.ANTHROPIC_BASE_URL).toBe('http://127.0.0.1:5');
    expect(env.OPENAI_BASE_URL).toBe('http://127.0.0.1:5/v1');
    expect(env.NO_PROXY).toBe('corp.local,127.0.0.1,localhost');
    expect(childEnv({}, { anthropic: 'a', openai: 'b' }, '/t').NO_PROXY).toBeUndefined();
  });
});

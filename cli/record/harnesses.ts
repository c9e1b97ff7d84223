// The harnesses lapse knows by name: how `record` points each at the proxy, the base-URL convention
// its SDK follows, and where its own configuration can send it elsewhere (the "bypassed lapse" hint).
// Anything not listed (an SDK app) gets the generic environment, which every listed one gets too.
// The README's harness table says the same for users (a row per entry here, checked by
// test/record/upstreams.test.ts).
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BASE_URL_ENV, type Api, type ProxyUrls, type Upstreams } from './upstreams.js';

export interface HarnessSpec {
  /** What traces call it (the session's `harness`). */
  name: string;
  label: string;
  /** Program names it is started by. */
  programs: string[];
  /** Its npm package, where it has one. */
  npm?: string;
  /** Where paths that name no API go (`/`, `/api/…`). */
  vendor: Api;
  /** Environment set on top of the generic base URLs. */
  env?(urls: ProxyUrls, base: NodeJS.ProcessEnv): Record<string, string>;
  /** Arguments inserted right after the program name. */
  args?(urls: ProxyUrls): string[];
  /** Upstreams this harness's own environment names (which the proxy's URLs then replace). */
  upstreams?(base: NodeJS.ProcessEnv): Partial<Upstreams>;
  /** Files where a base URL or a login can send the harness past lapse (`~` is the home folder). */
  configFiles: string[];
}

/** Copilot CLI's own provider (BYOK): its type decides which API the base URL speaks. */
function copilotApi(env: NodeJS.ProcessEnv): Api {
  const t = (env.COPILOT_PROVIDER_TYPE ?? 'openai').toLowerCase();
  return t === 'anthropic' ? 'anthropic' : 'openai';
}

/** The pi extension `record` loads into pi (built next to this file). */
const PI_EXTENSION = fileURLToPath(new URL('./pi-extension.js', import.meta.url));

/** pi's own provider base URLs (`models.json` overrides), which lapse then relays to. */
function piUpstreams(env: NodeJS.ProcessEnv): Partial<Upstreams> {
  const dir = env.PI_CODING_AGENT_DIR || join(env.HOME || homedir(), '.pi', 'agent');
  let providers: Record<string, { baseUrl?: unknown } | undefined>;
  try {
    providers = (JSON.parse(readFileSync(join(dir, 'models.json'), 'utf8')) as { providers?: typeof providers }).providers ?? {};
  } catch {
    return {};
  }
  const out: Partial<Upstreams> = {};
  for (const [api, provider] of [['anthropic', 'anthropic'], ['openai', 'openai'], ['gemini', 'google']] as const) {
    const url = providers[provider]?.baseUrl;
    if (typeof url === 'string' && /^https?:\/\//.test(url)) out[api] = url;
  }
  return out;
}

export const HARNESSES: readonly HarnessSpec[] = [
  {
    name: 'claude',
    label: 'Claude Code',
    programs: ['claude'],
    npm: '@anthropic-ai/claude-code',
    vendor: 'anthropic',
    configFiles: ['~/.claude/settings.json', '.claude/settings.json', '.claude/settings.local.json'],
  },
  {
    name: 'codex',
    label: 'Codex CLI',
    programs: ['codex'],
    npm: '@openai/codex',
    vendor: 'openai',
    // It ignores OPENAI_BASE_URL for its WebSocket transport.
    args: (urls) => ['-c', `openai_base_url="${urls.openai}"`],
    configFiles: ['~/.codex/config.toml'],
  },
  {
    name: 'opencode',
    label: 'OpenCode',
    programs: ['opencode'],
    npm: 'opencode-ai',
    vendor: 'anthropic',
    configFiles: ['~/.config/opencode/opencode.json', 'opencode.json', '.opencode/opencode.json'],
  },
  {
    name: 'gemini',
    label: 'Gemini CLI',
    programs: ['gemini'],
    npm: '@google/gemini-cli',
    vendor: 'gemini',
    configFiles: ['~/.gemini/settings.json', '.gemini/settings.json', '~/.gemini/.env', '.env'],
  },
  {
    name: 'qwen',
    label: 'Qwen Code',
    programs: ['qwen'],
    npm: '@qwen-code/qwen-code',
    vendor: 'openai',
    configFiles: ['~/.qwen/settings.json', '.qwen/settings.json', '~/.qwen/.env', '.env'],
  },
  {
    name: 'copilot',
    label: 'GitHub Copilot CLI',
    programs: ['copilot'],
    npm: '@github/copilot',
    vendor: 'openai',
    // Only its own provider (BYOK) can be pointed anywhere; GitHub's service cannot be recorded.
    env: (urls, base): Record<string, string> => (base.COPILOT_PROVIDER_BASE_URL || base.COPILOT_PROVIDER_TYPE ? { COPILOT_PROVIDER_BASE_URL: urls[copilotApi(base)] } : {}),
    upstreams: (base) => (base.COPILOT_PROVIDER_BASE_URL ? { [copilotApi(base)]: base.COPILOT_PROVIDER_BASE_URL } : {}),
    configFiles: ['~/.copilot/config.json'],
  },
  {
    name: 'pi',
    label: 'pi',
    programs: ['pi'],
    npm: '@mariozechner/pi-coding-agent',
    vendor: 'anthropic',
    // Its built-in models carry their own base URLs (the SDKs' variables are ignored): a small
    // extension re-registers its Anthropic, OpenAI and Google providers at the proxy.
    args: () => ['-e', PI_EXTENSION],
    upstreams: (base) => piUpstreams(base),
    configFiles: ['~/.pi/agent/models.json', '~/.pi/agent/settings.json'],
  },
];

/** The listed harness a command is, by its program's name (`/usr/local/bin/codex`, `codex.js`), or null. */
export function harnessSpec(cmd: string): HarnessSpec | null {
  const prog = basename(cmd).replace(/\.(c?js|mjs|exe)$/i, '');
  return HARNESSES.find((h) => h.programs.includes(prog)) ?? null;
}

/** The base-URL variables every child gets. */
export function genericEnv(urls: ProxyUrls): Record<string, string> {
  return { [BASE_URL_ENV.anthropic]: urls.anthropic, [BASE_URL_ENV.openai]: urls.openai, [BASE_URL_ENV.gemini]: urls.gemini, [BASE_URL_ENV.codeAssist]: urls.codeAssist };
}

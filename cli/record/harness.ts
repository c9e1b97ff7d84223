// How a wrapped harness is pointed at the proxy (design.md "Pointing a harness at the proxy").
import { basename, dirname, extname } from 'node:path';
import type { Api } from './upstreams.js';

const INLINE_CODE = new Set(['-e', '--eval', '-p', '--print', '-c']);
const TAKES_VALUE = new Set(['-r', '--require', '--import', '--loader', '--experimental-loader', '-W', '-X']);
const INTERPRETERS = new Set(['node', 'nodejs', 'bun', 'deno', 'python', 'python3', 'npx', 'tsx', 'ts-node']);

/** The harness's short name for the trace: the program, or for `node my-agent.js` the script. */
export function harnessName(cmd: string, args: string[]): string {
  const prog = basename(cmd);
  if (INTERPRETERS.has(prog)) {
    for (let i = 0; i < args.length; i++) {
      const a = args[i];
      if (INLINE_CODE.has(a)) break; // `node -e '…'`: no script to name it after
      if (a === '-m') return args[i + 1] ?? prog; // `python -m aider`
      if (TAKES_VALUE.has(a)) {
        i++;
        continue;
      }
      if (!a.startsWith('-')) return scriptName(a);
    }
  }
  return prog.replace(/\.(c?js|mjs|exe)$/i, '');
}

/** A script's name; for a generic entry file (`agent/main.js`, `my-agent/index.js`) its folder's. */
function scriptName(path: string): string {
  const name = basename(path, extname(path));
  if (!GENERIC_ENTRY.has(name)) return name;
  const dir = basename(dirname(path));
  return dir && dir !== '.' && dir !== '/' ? dir : name;
}

const GENERIC_ENTRY = new Set(['main', 'index', 'cli', 'app', 'run', 'start']);

/** Where paths that name neither vendor go (HEAD /, /v1/models…): the harness's own vendor. */
export function defaultApiFor(harness: string): Api {
  return /claude|anthropic/i.test(harness) ? 'anthropic' : 'openai';
}

export function isCodex(cmd: string): boolean {
  const b = basename(cmd).replace(/\.(c?js|mjs|exe)$/i, '');
  return b === 'codex';
}

/** Arguments for the child: Codex gets `-c openai_base_url=…` right after its name (it ignores OPENAI_BASE_URL for WebSocket). */
export function childArgs(cmd: string, args: string[], openaiBaseUrl: string): string[] {
  if (!isCodex(cmd)) return args;
  return ['-c', `openai_base_url="${openaiBaseUrl}"`, ...args];
}

/** The child's environment: both vendors' base URLs point at the proxy; loopback is kept off any HTTP proxy. */
export function childEnv(base: NodeJS.ProcessEnv, urls: { anthropic: string; openai: string }, tracePath: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...base, ANTHROPIC_BASE_URL: urls.anthropic, OPENAI_BASE_URL: urls.openai, LAPSE_TRACE: tracePath };
  const usesProxy = ['HTTP_PROXY', 'HTTPS_PROXY', 'ALL_PROXY', 'http_proxy', 'https_proxy', 'all_proxy'].some((k) => base[k]);
  if (usesProxy) {
    for (const k of ['NO_PROXY', 'no_proxy']) {
      const cur = base[k];
      env[k] = cur ? `${cur},127.0.0.1,localhost` : '127.0.0.1,localhost';
    }
  }
  return env;
}

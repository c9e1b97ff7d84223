// How a wrapped harness is pointed at the proxy: its name for the trace, its arguments and environment
// (the per-harness knowledge is the table in harnesses.ts).
import { basename, dirname, extname } from 'node:path';
import { genericEnv, harnessSpec } from './harnesses.js';
import type { Api, ProxyUrls } from './upstreams.js';

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

/** Where paths that name no API go (HEAD /, /api/…): the harness's own vendor. */
export function defaultApiFor(cmd: string, harness: string): Api {
  const spec = harnessSpec(cmd);
  if (spec) return spec.vendor;
  return /claude|anthropic/i.test(harness) ? 'anthropic' : /gemini/i.test(harness) ? 'gemini' : 'openai';
}

/** Arguments for the child: a listed harness's own pointing arguments (codex's `-c openai_base_url=…`) right after its name. */
export function childArgs(cmd: string, args: string[], urls: ProxyUrls): string[] {
  const extra = harnessSpec(cmd)?.args?.(urls);
  return extra ? [...extra, ...args] : args;
}

/** The child's environment: every API's base URL points at the proxy; loopback is kept off any HTTP proxy. */
export function childEnv(cmd: string, base: NodeJS.ProcessEnv, urls: ProxyUrls, tracePath: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...base, ...genericEnv(urls), ...harnessSpec(cmd)?.env?.(urls, base), LAPSE_TRACE: tracePath };
  const usesProxy = ['HTTP_PROXY', 'HTTPS_PROXY', 'ALL_PROXY', 'http_proxy', 'https_proxy', 'all_proxy'].some((k) => base[k]);
  if (usesProxy) {
    for (const k of ['NO_PROXY', 'no_proxy']) {
      const cur = base[k];
      env[k] = cur ? `${cur},127.0.0.1,localhost` : '127.0.0.1,localhost';
    }
  }
  return env;
}

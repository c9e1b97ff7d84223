// When the harness ran but no model request came through the proxy, the trace is empty for a reason
// the user can fix: usually a base URL (or a login) in the harness's own configuration. One line that
// names the likely file beats a silent empty trace.
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import type { HarnessSpec } from './harnesses.js';

/** Keys that send a harness to an endpoint of its own choosing. */
const POINTING = /base_?url|baseurl|endpoint|api_?base|model_provider|selectedtype|auth_?type|provider/i;

/**
 * The hint, or null when requests did come through. `cwd` and `home` locate `~/…` and project files.
 */
export function bypassHint(spec: HarnessSpec | null, harness: string, modelRequests: number, cwd = process.cwd(), home = homedir()): string | null {
  if (modelRequests > 0) return null;
  if (!spec) {
    return `no model request came through lapse: ${harness} may not read ANTHROPIC_BASE_URL, OPENAI_BASE_URL or GOOGLE_GEMINI_BASE_URL (point its client's base URL at the proxy), or it made no request`;
  }
  const files = spec.configFiles.map((f) => (f.startsWith('~/') ? join(home, f.slice(2)) : resolve(cwd, f)));
  const existing = files.filter((f) => existsSync(f));
  const pointing = existing.find((f) => {
    try {
      return POINTING.test(readFileSync(f, 'utf8').slice(0, 1 << 20));
    } catch {
      return false;
    }
  });
  const shown = (f: string) => (f.startsWith(home + '/') ? `~/${f.slice(home.length + 1)}` : f);
  const where = pointing ?? existing[0];
  const cause = where
    ? `${shown(where)} may point it elsewhere (a base URL, provider or login of its own)`
    : `a base URL or login in its own configuration (${spec.configFiles[0]}) may point it elsewhere`;
  return `no model request came through lapse: ${spec.label} bypassed the proxy; ${cause}`;
}

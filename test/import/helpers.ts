// Running the compiled CLI against a scratch trace directory (build first: `npm run build`).
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const FIXTURES = fileURLToPath(new URL('./fixtures/', import.meta.url));

export function lapse(args: string[], home: string, env: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, ['bin/lapse.js', ...args], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, LAPSE_HOME: home, NO_COLOR: '1', ...env } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

export function lapseJson<T = any>(args: string[], home: string, env: Record<string, string> = {}): T {
  const r = lapse([...args, '--json'], home, env);
  if (r.code !== 0) throw new Error(`lapse ${args.join(' ')} exited ${r.code}: ${r.stderr}`);
  return JSON.parse(r.stdout) as T;
}

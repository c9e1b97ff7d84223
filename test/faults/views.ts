// Every view of a trace a user or a script can get, and a search of them for pieces of secrets.
import { readFileSync } from 'node:fs';
import { expect } from 'vitest';
import { readTrace } from '../../format/index.js';
import { loadTrace } from '../../cli/trace/load.js';
import { runCli } from './helpers.js';

/** The raw bytes, the decoded records (bodies rebuilt and as stored), every export, dump and stats. */
export async function everyView(trace: string): Promise<Record<string, string>> {
  const latin1 = (v: unknown) => JSON.stringify(v, (_k, x) => (x instanceof Uint8Array ? Buffer.from(x).toString('latin1') : x));
  const views: Record<string, string> = {
    'raw trace bytes': readFileSync(trace).toString('latin1'),
    'decoded records': latin1(readTrace(new Uint8Array(readFileSync(trace))).records),
    'decoded records, bodies as stored': latin1(loadTrace(trace, { resolveBodies: false }).records),
  };
  for (const args of [['export', '--format', 'har'], ['export', '--format', 'chrome'], ['export', '--format', 'otlp'], ['dump'], ['dump', '--json'], ['dump', '--json', '--raw'], ['stats', '--json'], ['stats']]) {
    const r = await runCli([args[0], trace, ...args.slice(1)]);
    expect({ args, code: r.code, stderr: r.stderr }).toMatchObject({ args, code: 0 });
    views[`lapse ${args.join(' ')}`] = r.stdout + r.stderr;
  }
  return views;
}

/** Every 10-character window of each secret's random part: none may be found anywhere. */
export function pieces(secrets: Record<string, string>): Record<string, string[]> {
  return Object.fromEntries(Object.entries(secrets).map(([k, v]) => [k, Array.from({ length: Math.max(1, v.length - 9) }, (_, i) => v.slice(i, i + 10))]));
}

export function leaks(views: Record<string, string>, find: Record<string, string[]>): string[] {
  // every window of every view looked up in one map (a search per window would be quadratic)
  const owner = new Map<string, string>();
  for (const [k, ps] of Object.entries(find)) for (const p of ps) owner.set(p, k);
  const sizes = new Set([...owner.keys()].map((p) => p.length));
  const found: string[] = [];
  for (const [where, text] of Object.entries(views)) {
    const hit = new Map<string, string>();
    for (const n of sizes) for (let i = 0; i + n <= text.length; i++) {
      const k = owner.get(text.slice(i, i + n));
      if (k !== undefined && !hit.has(k)) hit.set(k, text.slice(i, i + n));
    }
    for (const [k, p] of hit) found.push(`${k} (${p}…) in ${where}`);
  }
  return found;
}

// format/ must run in the browser: bundle it with vite for a browser target and run the bundle in a
// plain VM context that has no Node globals (no process, Buffer, require).
import { describe, expect, it } from 'vitest';
import { build } from 'vite';
import { createContext, runInContext } from 'node:vm';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { compactTrace, readTrace } from '../../format/index.js';
import { nodeBrotliEncode } from '../../cli/trace/brotli.js';
import { sampleRecords, writeTrace } from './helpers.js';

const root = join(import.meta.dirname, '..', '..');

describe('format/ without Node', () => {
  it('imports nothing from node:', () => {
    for (const dir of ['format', 'analysis']) {
      let files: string[] = [];
      try {
        files = readdirSync(join(root, dir), { recursive: true }).map(String).filter((f) => f.endsWith('.ts'));
      } catch {
        continue;
      }
      for (const f of files) expect(readFileSync(join(root, dir, f), 'utf8'), `${dir}/${f}`).not.toMatch(/from ['"]node:|require\(['"]node:/);
    }
  });

  it('bundles for the browser and reads a trace in a context with no Node globals', async () => {
    const out = await build({
      root,
      logLevel: 'silent',
      configFile: false,
      build: {
        write: false,
        lib: { entry: join(root, 'test/format/browser-entry.ts'), formats: ['iife'], name: 'lapseFormat' },
        minify: false,
      },
    });
    const chunk = (Array.isArray(out) ? out[0] : out) as { output: Array<{ type: string; code?: string }> };
    const code = chunk.output.find((o) => o.type === 'chunk')!.code!;
    const ctx = createContext({ TextEncoder, TextDecoder, Uint8Array, DataView, console });
    runInContext(code, ctx);
    const result = runInContext('lapseFormat.roundTrip()', ctx) as { kinds: string[]; truncated: boolean; hasProcess: boolean };
    expect(result.hasProcess).toBe(false);
    expect(result.truncated).toBe(false);
    expect(result.kinds).toContain('http-request');
    expect(result.kinds.length).toBeGreaterThan(10);
    // a trace compacted as `lapse record` does (one Brotli frame): decoded by the npm package's decoder
    const compacted = compactTrace(writeTrace(sampleRecords()), undefined, { brotli: nodeBrotliEncode })!;
    expect(compacted[8 + 9 + new DataView(compacted.buffer, compacted.byteOffset).getUint32(8, true) + 8]).toBe(5);
    ctx.bytes = Array.from(compacted);
    const read = runInContext('lapseFormat.kindsOf(bytes)', ctx) as { kinds: string[]; truncated: boolean };
    expect(read.truncated).toBe(false);
    expect(read.kinds).toEqual(readTrace(writeTrace(sampleRecords())).records.map((r) => r.kind));
  }, 60_000);
});

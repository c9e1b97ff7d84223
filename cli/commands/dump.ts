import type { Command } from 'commander';
// the format's modules, not its index: that one loads the encoder and the browser's Brotli decoder
import { bodyJson, bodyText } from '../../format/body.js';
import { formatSse } from '../../format/sse.js';
import type { Body, TraceRecord } from '../../format/types.js';
import { loadTrace } from '../trace/load.js';
import { resolveTraceArg } from '../util/paths.js';

export function register(program: Command): void {
  program
    .command('dump')
    .description('the records of a trace, one per line, bodies rebuilt')
    .argument('[trace]', 'trace file (default: the newest one)')
    .option('--json', 'one JSON object per line, for scripts')
    .option('--raw', 'keep request bodies as stored (JSON patches against earlier requests)')
    .addHelpText(
      'after',
      `
Examples:
  lapse dump                        the newest trace, readable
  lapse dump run.lapse --json | jq 'select(.kind == "http-request") | .url'

Times are milliseconds from the session start. A truncated trace (recorder killed, disk full)
prints every record it holds, then a closing "truncated" line.`,
    )
    .action((trace: string | undefined, opts: { json?: boolean; raw?: boolean }) => {
      const loaded = loadTrace(resolveTraceArg(trace), { resolveBodies: !opts.raw });
      const out = process.stdout;
      for (const rec of loaded.records) out.write((opts.json ? JSON.stringify(toJson(rec)) : describe(rec)) + '\n');
      if (loaded.truncated) {
        const why = loaded.damage ?? 'the file ends inside a record';
        out.write(opts.json ? JSON.stringify({ kind: 'truncated', reason: why }) + '\n' : `-- truncated: ${why}\n`);
      }
    });
}

function ms(t: number): string {
  return (t / 1000).toFixed(3).padStart(10);
}

function bodyJsonish(b: Body): unknown {
  if (b.enc === 'patch') return { patchOf: b.base, ops: b.ops };
  if (b.enc === 'dropped') return { dropped: b.length };
  const v = bodyJson(b);
  return v !== undefined ? v : bodyText(b);
}

/** A JSON-safe view: times in ms, bodies rebuilt (bytes as base64 when not text). */
export function toJson(rec: TraceRecord): Record<string, unknown> {
  const out: Record<string, unknown> = { ...rec, t: rec.t / 1000 };
  if (rec.kind === 'http-request') out.body = bodyJsonish(rec.body);
  if (rec.kind === 'ws-message') out.data = rec.data.enc === 'bytes' && rec.binary ? { base64: toBase64(rec.data.bytes) } : bodyJsonish(rec.data);
  if (rec.kind === 'term-output') out.data = rec.data.enc === 'bytes' ? { base64: toBase64(rec.data.bytes) } : bodyJsonish(rec.data);
  if (rec.kind === 'http-data') {
    if (rec.sse) out.sse = formatSse(rec.sse);
    if (rec.chunk) out.chunk = rec.chunk.enc === 'bytes' ? { base64: toBase64(rec.chunk.bytes) } : bodyJsonish(rec.chunk);
  }
  return out;
}

function toBase64(b: Uint8Array): string {
  return Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('base64');
}

function short(s: string, n = 160): string {
  const one = s.replace(/\s+/g, ' ').trim();
  return one.length > n ? one.slice(0, n - 1) + '…' : one;
}

function describe(rec: TraceRecord): string {
  const t = ms(rec.t);
  switch (rec.kind) {
    case 'session':
      return `${t}  session    lapse ${rec.lapseVersion}, format ${rec.formatVersion.major}.${rec.formatVersion.minor}, started ${new Date(rec.startedAt).toISOString()}, harness ${rec.harness ?? '-'}, argv ${JSON.stringify(rec.argv)}`;
    case 'http-request':
      return `${t}  request    ${rec.id} ${rec.method} ${rec.url} → ${rec.upstream}  ${short(rec.body.enc === 'patch' ? `patch of ${rec.body.base}: ${rec.body.ops.length} ops` : rec.body.enc === 'dropped' ? `(${rec.body.length} bytes dropped)` : bodyText(rec.body))}`;
    case 'http-response':
      return `${t}  response   ${rec.id} ${rec.status} ${rec.statusText} ${String(rec.headers['content-type'] ?? '')}`;
    case 'http-data':
      return `${t}  data       ${rec.id} ${short(rec.sse ? formatSse(rec.sse) : rec.chunk ? bodyText(rec.chunk) : '')}`;
    case 'http-end':
      return `${t}  end        ${rec.id} ${rec.outcome}${rec.message ? `: ${rec.message}` : ''} (${rec.bytes} bytes)`;
    case 'ws-open':
      return `${t}  ws-open    ${rec.id} ${rec.url} → ${rec.upstream}${rec.extensions ? ` [${rec.extensions}]` : ''}`;
    case 'ws-message':
      return `${t}  ws ${rec.dir === 'up' ? '→' : '←'}       ${rec.id} ${rec.binary ? `(binary ${rec.data.enc === 'bytes' ? rec.data.bytes.length : 0} bytes)` : short(rec.data.enc === 'patch' ? 'patch' : bodyText(rec.data))}`;
    case 'ws-close':
      return `${t}  ws-close   ${rec.id} ${rec.code} ${rec.reason} (by ${rec.by})`;
    case 'file':
      return `${t}  file       ${rec.op} ${rec.from ? `${rec.from} → ` : ''}${rec.path}${rec.hash ? ` sha256:${rec.hash.slice(0, 12)} ${rec.size ?? '?'} bytes` : ''}${rec.diff ? ` (${rec.diff.split('\n').length} diff lines)` : ''}`;
    case 'process-start':
      return `${t}  proc-start ${rec.pid} ${JSON.stringify(rec.argv)}`;
    case 'process-exit':
      return `${t}  proc-exit  ${rec.pid} code ${rec.code ?? '-'} signal ${rec.signal ?? '-'}`;
    case 'marker':
      return `${t}  marker     ${rec.label}`;
    case 'drop':
      return `${t}  drop       ${rec.records} payloads dropped: ${rec.reason}`;
    case 'term-output':
      return `${t}  term-out   ${rec.data.enc === 'dropped' ? `(${rec.data.length} bytes dropped)` : short(JSON.stringify(bodyText(rec.data)).slice(1, -1))}`;
    case 'term-resize':
      return `${t}  term-size  ${rec.cols}×${rec.rows}`;
    case 'http-timing': {
      const at = (v: number | undefined) => (v === undefined ? '-' : `+${((v - rec.start) / 1000).toFixed(1)}`);
      return `${t}  timing     ${rec.id} ${rec.reused ? 'reused' : 'new'} connection, dns ${at(rec.dns)} connect ${at(rec.connect)} tls ${at(rec.tls)} sent ${at(rec.sendStart)}…${at(rec.sendEnd)} head ${at(rec.head)} ms; ${rec.bytesUp} bytes up, ${rec.bytesDown} down${rec.repeat ? `, ${rec.repeat.bytes} repeat ${rec.repeat.base}` : ''}`;
    }
    case 'term-input':
      return `${t}  term-in    ${rec.key}${rec.key === 'paste' ? ` (${rec.length ?? '?'} characters)` : rec.count > 1 ? ` ×${rec.count}` : ''}${rec.text !== undefined ? ` ${JSON.stringify(rec.text)}` : ''}`;
    default:
      return `${t}  ${(rec as { kind: string }).kind}`;
  }
}

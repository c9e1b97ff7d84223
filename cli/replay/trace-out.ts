// `--record-to FILE`: the replay server is the endpoint, so it records what it serves, with the real
// times at which it served it, in the same trace format as `lapse record` (so `lapse stats` can put
// the two runs side by side). The trace starts at the first connection, not at server start: the
// minutes before a harness is pointed at the replay are not part of the session.
import type { Body, Headers, Micros, TraceRecord } from '../../format/types.js';
import { accessSync, constants, existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { TraceWriter } from '../trace/writer.js';
import { UsageError } from '../util/errors.js';

export interface TraceOutInit {
  path: string;
  argv: string[];
  cwd: string;
  /** What was replayed (shown as the upstream of every exchange). */
  source: string;
}

export class TraceOut {
  private w: TraceWriter | null = null;
  private seq = 0;

  constructor(private readonly init: TraceOutInit) {}

  /** Checks the file can be written now, so a bad path fails at start-up and not at the first request. */
  check(): void {
    if (existsSync(this.init.path)) throw new UsageError(`cannot write trace ${this.init.path}: it already exists (lapse never overwrites a trace; choose another -o or remove it)`);
    try {
      accessSync(dirname(resolve(this.init.path)), constants.W_OK);
    } catch (err) {
      throw new UsageError(`cannot write trace ${this.init.path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
    }
  }

  private writer(): TraceWriter {
    if (!this.w) {
      this.w = TraceWriter.create(this.init.path, {
        argv: this.init.argv,
        cwd: this.init.cwd,
        harness: 'lapse-replay',
        upstreams: { anthropic: this.init.source, openai: this.init.source },
        redact: true,
      });
    }
    return this.w;
  }

  /** Session time of now, µs (the first call creates the file: t=0 is the first connection). */
  now(): Micros {
    return this.writer().now();
  }

  nextId(prefix: 'r' | 'w'): string {
    return `${prefix}${++this.seq}`;
  }

  write(rec: TraceRecord): void {
    this.writer().write(rec);
  }

  get source(): string {
    return this.init.source;
  }

  request(id: string, t: Micros, method: string, url: string, headers: Headers, body: Uint8Array): void {
    this.write({ kind: 'http-request', t, id, method, url, upstream: this.source, headers, body: { enc: 'bytes', bytes: body } });
  }

  data(id: string, t: Micros, bytes: Uint8Array, sse: string | undefined): void {
    const body: Body = { enc: 'bytes', bytes };
    this.write(sse !== undefined ? { kind: 'http-data', t, id, sse: { form: 'raw', text: sse } } : { kind: 'http-data', t, id, chunk: body });
  }

  get path(): string {
    return this.init.path;
  }

  get degraded(): string | null {
    return this.w?.degraded ?? null;
  }

  async close(): Promise<void> {
    if (this.w) await this.w.close();
  }
}

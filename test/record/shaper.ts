// A test-only network shaper on loopback: a TCP relay that adds a one-way delay to every byte in both
// directions and caps the uplink (client → server) rate, the way a real path to a model endpoint
// would. It keeps its own log of what it applied: the uplink's bursts (reads with less than 300 ms
// between them), on the performance.now() clock of the thread that started it.
//
// The cap works by reading: after each chunk the client socket is paused for as long as the chunk
// "costs" at the capped rate, so the kernel's buffers fill and the sender's window closes, as behind
// a slow link. Node cannot pin a socket's buffers (no SO_RCVBUF, TCP_MAXSEG or TCP_WINDOW_CLAMP), so
// two things follow. With loopback's 64 KiB segments the sender's kernel takes megabytes into its
// send buffer at once: a sender that counts "handed to the kernel" as sent sees its upload end that
// much early (the proxy's `acked` does not depend on it). And the shaper's own receive buffer sits
// before the cap and grows (the kernel's autotuning) whenever the reads stall, so the relay runs on
// a worker thread of its own, away from the test's event loop (a 6 MB JSON.parse there would let
// hundreds of KB through at once). It still grows on a loaded machine, so the shaper samples it
// (Linux): `maxQueued`, and `arrivedEnd`, when the last byte was in its kernel — the moment the
// sender's TCP saw it acknowledged, which lies before the last read by what the buffer held.
import { Worker } from 'node:worker_threads';

export interface Burst {
  /** performance.now() of the burst's first and last read, ms. */
  start: number;
  end: number;
  bytes: number;
  /** Most bytes seen waiting in the shaper's receive buffer during the burst (-1: not known). */
  maxQueued: number;
  /**
   * When the burst's last byte was in the shaper's kernel (read, or waiting in its receive buffer):
   * the end of the upload as the sender's TCP saw it, to the queue sampling's 10 ms. `end` where the
   * queue is not known (not Linux).
   */
  arrivedEnd: number;
}

export interface Shaper {
  port: number;
  /** Uplink bursts in order, across connections, as they stand now. */
  bursts(): Promise<Burst[]>;
  close(): Promise<void>;
}

interface Options {
  upstreamPort: number;
  delayMs: number;
  upBytesPerSecond: number;
}

interface WorkerData extends Options {
  /** The starting thread's performance.timeOrigin: the worker's clock starts later. */
  origin: number;
}

/**
 * The relay, run as the worker's whole program (its source is sent as text: nothing from this
 * module's scope is in reach, only `require` and workerData).
 */
function relayMain(): void {
  /* eslint-disable @typescript-eslint/no-require-imports */
  const net = require('node:net') as typeof import('node:net');
  const fs = require('node:fs') as typeof import('node:fs');
  const { parentPort, workerData } = require('node:worker_threads') as typeof import('node:worker_threads');
  const { upstreamPort, delayMs, upBytesPerSecond, origin } = workerData as WorkerData;
  const skew = performance.timeOrigin - origin;
  /** The starting thread's performance.now(). */
  const now = () => performance.now() + skew;
  const BURST_GAP_MS = 300; // reads with a longer pause between them start a new burst
  const SLACK_MS = 20; // credit for a late wake-up; idle time earns none (the cap holds from a burst's first byte)
  const bursts: Burst[] = [];
  /** Per burst: [time, bytes of it in the kernel] pairs, flat. */
  const samples = new Map<Burst, number[]>();
  const sockets = new Set<import('node:net').Socket>();
  const hex4 = (n: number) => n.toString(16).toUpperCase().padStart(4, '0');
  /** The receive queue of the accepted socket `s` (/proc/net/tcp), -1 when unknown. */
  const queued = (s: import('node:net').Socket): number => {
    try {
      const l = `:${hex4(s.localPort!)} `;
      const r = `:${hex4(s.remotePort!)} `;
      for (const row of fs.readFileSync('/proc/net/tcp', 'latin1').split('\n')) {
        const f = row.trim().split(/\s+/);
        if (f.length > 4 && `${f[1]} `.endsWith(l) && `${f[2]} `.endsWith(r)) return parseInt(f[4].split(':')[1], 16);
      }
    } catch {
      // not Linux
    }
    return -1;
  };
  const track = (s: import('node:net').Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
    s.on('error', () => s.destroy());
  };
  /** `data` goes to `dst` one delay later, in order (null: its end). */
  const later = (dst: import('node:net').Socket, data: Buffer | null) =>
    setTimeout(() => {
      if (dst.destroyed) return;
      if (data) dst.write(data);
      else dst.end();
    }, delayMs);

  const server = net.createServer((client) => {
    const upstream = net.connect(upstreamPort, '127.0.0.1');
    track(client);
    track(upstream);
    client.setNoDelay(true);
    upstream.setNoDelay(true);
    let allowed = now();
    let current: Burst | null = null;
    const watch = setInterval(() => {
      const b = current;
      if (!b || now() - b.end > BURST_GAP_MS) return;
      const q = queued(client);
      if (q < 0) return;
      b.maxQueued = Math.max(b.maxQueued, q);
      // bytes of this burst in the kernel by now: read so far and waiting
      samples.get(b)!.push(now(), b.bytes + q);
    }, 10);
    client.on('close', () => clearInterval(watch));
    client.on('data', (d: Buffer) => {
      const at = now();
      const last = bursts[bursts.length - 1];
      if (last && at - last.end <= BURST_GAP_MS) {
        last.end = at;
        last.bytes += d.length;
      } else {
        const b: Burst = { start: at, end: at, bytes: d.length, maxQueued: -1, arrivedEnd: at };
        bursts.push(b);
        samples.set(b, []);
      }
      current = bursts[bursts.length - 1];
      allowed = Math.max(allowed, at - SLACK_MS) + (d.length / upBytesPerSecond) * 1000;
      const wait = allowed - at;
      if (wait > 0) {
        client.pause();
        setTimeout(() => client.resume(), wait);
      }
      later(upstream, d);
    });
    client.on('end', () => later(upstream, null));
    upstream.on('data', (d: Buffer) => later(client, d));
    upstream.on('end', () => later(client, null));
    client.on('close', () => setTimeout(() => upstream.destroy(), delayMs + 50));
    upstream.on('close', () => setTimeout(() => client.destroy(), delayMs + 50));
  });
  server.listen(0, '127.0.0.1', () => parentPort!.postMessage({ port: (server.address() as import('node:net').AddressInfo).port }));
  parentPort!.on('message', (m: string) => {
    if (m === 'bursts') {
      for (const b of bursts) {
        const xs = samples.get(b)!;
        b.arrivedEnd = b.end;
        for (let i = 0; i < xs.length; i += 2) {
          if (xs[i + 1] < b.bytes) continue;
          b.arrivedEnd = Math.min(b.end, xs[i]);
          break;
        }
      }
      parentPort!.postMessage({ bursts });
    }
    if (m === 'close') {
      for (const s of sockets) s.destroy();
      server.close(() => process.exit(0));
    }
  });
}

export async function startShaper(opts: Options): Promise<Shaper> {
  const worker = new Worker(`(${relayMain.toString()})()`, { eval: true, workerData: { ...opts, origin: performance.timeOrigin } satisfies WorkerData });
  const next = <T>(key: string) =>
    new Promise<T>((resolve, reject) => {
      const on = (m: Record<string, unknown>) => {
        if (!(key in m)) return;
        worker.off('message', on);
        worker.off('error', reject);
        resolve(m[key] as T);
      };
      worker.on('message', on);
      worker.once('error', reject);
    });
  const port = await next<number>('port');
  return {
    port,
    bursts: () => {
      const got = next<Burst[]>('bursts');
      worker.postMessage('bursts');
      return got;
    },
    close: async () => {
      const gone = new Promise((r) => worker.once('exit', r));
      worker.postMessage('close');
      await gone;
    },
  };
}

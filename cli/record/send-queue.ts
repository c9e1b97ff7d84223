// When the upstream's TCP stack had acknowledged every byte written on a connection: the honest end
// of an upload. A write's callback (`finish`) only says the kernel took the bytes into its send
// buffer, which on a slow uplink still holds megabytes (Linux sizes it to about twice the congestion
// window). Node has no getsockopt, so TCP_INFO (tcpi_unacked, tcpi_notsent_bytes) and the SIOCOUTQ
// ioctl are out of reach; the one place the kernel tells a Node process is /proc/net/tcp{,6}, whose
// `tx_queue` column is write_seq − snd_una: bytes written and not yet acknowledged. Linux only;
// elsewhere (or without /proc) the watch gives up at once and the upload ends at `finish`.
import { readFile } from 'node:fs';
import type { Socket } from 'node:net';

/** Between reads of the table (its resolution, with the read's own latency). */
const POLL_MS = 4;
let unavailable = process.platform !== 'linux';

const hex4 = (port: number) => port.toString(16).toUpperCase().padStart(4, '0');

/**
 * The `tx_queue` of the row whose local port is `local` and remote port `remote` (`:XXXX`, upper-case
 * hex), or null when no row matches (the connection is gone). Rows read
 * `sl: LOCALADDR:PORT REMADDR:PORT st TX:RX …`.
 */
export function txQueue(table: string, local: number, remote: number): number | null {
  const l = `:${hex4(local)} `;
  const r = `:${hex4(remote)} `;
  for (let at = table.indexOf(l); at >= 0; at = table.indexOf(l, at + 1)) {
    const remStart = at + l.length;
    const remEnd = table.indexOf(' ', remStart);
    if (remEnd < 0 || table.slice(remEnd - 5, remEnd + 1) !== r) continue;
    // after the remote address: the state, then tx_queue:rx_queue
    const st = table.indexOf(' ', remEnd + 1);
    const tx = table.slice(st + 1, table.indexOf(':', st + 1));
    const n = parseInt(tx, 16);
    return Number.isFinite(n) ? n : null;
  }
  return null;
}

/**
 * Watches `s` until its send queue is empty and calls `acked(at)` with the time (`now()`) the read
 * that saw it empty began — so when the bytes were acknowledged already at the first look, `at` is
 * the moment the watch started. Calls nothing when it cannot tell (not Linux, the row is gone, the
 * table unreadable). Returns a function that stops the watch; null when it cannot watch at all.
 */
export function watchAcked(s: Socket, now: () => number, acked: (at: number) => void): (() => void) | null {
  const local = s.localPort;
  const remote = s.remotePort;
  if (unavailable || local === undefined || remote === undefined) return null;
  const file = s.remoteFamily === 'IPv6' ? '/proc/net/tcp6' : '/proc/net/tcp';
  let stopped = false;
  let timer: NodeJS.Timeout | null = null;
  const look = () => {
    timer = null;
    if (stopped) return;
    const began = now();
    readFile(file, 'latin1', (err, table) => {
      if (stopped) return;
      if (err) {
        if (err.code === 'ENOENT' || err.code === 'EACCES') unavailable = true;
        return;
      }
      const q = txQueue(table, local, remote);
      if (q === null) return;
      if (q === 0) {
        stopped = true;
        acked(began);
        return;
      }
      timer = setTimeout(look, POLL_MS);
    });
  };
  look();
  return () => {
    stopped = true;
    if (timer) clearTimeout(timer);
  };
}

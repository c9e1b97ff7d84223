#!/usr/bin/env python3
"""A test-only network shaper on loopback: a TCP relay that adds a one-way delay to every byte in both
directions and caps the uplink (client -> server) rate, the way a real path to a model endpoint would.

    shaper.py UPSTREAM_PORT DELAY_MS UP_BYTES_PER_S

Prints its listening port, then one JSON line per accepted connection and one per uplink burst (bytes
read with less than 300 ms between reads: what it applied, by its own clock). In Python rather than Node
because it must set TCP_MAXSEG and SO_RCVBUF on its listening socket: with loopback's 64 KiB segments
the sender's kernel would take megabytes into its send buffer at once, and a throttled uplink could not
be seen from the sending side at all (a real path's segments are ~1.4 KB).
"""
import json
import queue
import socket
import sys
import threading
import time

upstream_port = int(sys.argv[1])
delay = float(sys.argv[2]) / 1000.0
rate = float(sys.argv[3])

listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
listener.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 2048)
listener.setsockopt(socket.IPPROTO_TCP, socket.TCP_MAXSEG, 536)
listener.bind(("127.0.0.1", 0))
listener.listen(16)
print(listener.getsockname()[1], flush=True)


def pipe(src, dst, capped):
    """Reads src (at most `rate` bytes/s when capped) and writes each chunk to dst `delay` later."""
    line = queue.Queue()

    def deliver():
        while True:
            due, data = line.get()
            wait = due - time.monotonic()
            if wait > 0:
                time.sleep(wait)
            if data is None:
                try:
                    dst.shutdown(socket.SHUT_WR)
                except OSError:
                    pass
                return
            try:
                dst.sendall(data)
            except OSError:
                return

    threading.Thread(target=deliver, daemon=True).start()
    allowed = time.monotonic()
    burst = None
    while True:
        if capped:
            wait = allowed - time.monotonic()
            if wait > 0:
                time.sleep(wait)
        try:
            data = src.recv(2048 if capped else 65536)
        except OSError:
            data = b""
        now = time.monotonic()
        line.put((now + delay, data or None))
        if capped and burst and (not data or now - burst["end"] > 0.3):
            print(json.dumps({"burst": burst}), flush=True)
            burst = None
        if not data:
            return
        if capped:
            if burst is None:
                burst = {"start": now, "end": now, "bytes": 0}
            burst["end"] = now
            burst["bytes"] += len(data)
            # no credit for idle time (the cap holds from a burst's first byte), a little for a late wake-up
            allowed = max(allowed, now - 0.02) + len(data) / rate


def serve(client):
    accepted = time.monotonic()
    server = socket.create_connection(("127.0.0.1", upstream_port))
    server.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    client.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    print(json.dumps({"accepted": accepted}), flush=True)
    threading.Thread(target=pipe, args=(client, server, True), daemon=True).start()
    threading.Thread(target=pipe, args=(server, client, False), daemon=True).start()


while True:
    conn, _ = listener.accept()
    threading.Thread(target=serve, args=(conn,), daemon=True).start()

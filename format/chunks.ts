// The reader's pending input as the chunks it arrived in: each byte is copied at most once (when a
// frame spans chunks), so reading is linear in the input however it is chunked. Joining the pending
// bytes on every push instead made one large frame quadratic (a 60 MB frame in 64 KiB reads: 26 s).
export class ChunkQueue {
  private chunks: Uint8Array[] = [];
  /** Read position in chunks[0]. */
  private head = 0;
  /** Bytes not yet taken. */
  length = 0;

  push(chunk: Uint8Array): void {
    if (chunk.length === 0) return;
    this.chunks.push(chunk);
    this.length += chunk.length;
  }

  /** The byte at `i` (from the read position), without taking it. */
  at(i: number): number {
    let k = this.head + i;
    for (const c of this.chunks) {
      if (k < c.length) return c[k];
      k -= c.length;
    }
    return -1;
  }

  /** Little-endian u32 at `i`, without taking it. */
  u32(i: number): number {
    return (this.at(i) | (this.at(i + 1) << 8) | (this.at(i + 2) << 16) | (this.at(i + 3) << 24)) >>> 0;
  }

  /** The next `n` bytes (n ≤ length): a view when they lie in one chunk, else one copy. */
  take(n: number): Uint8Array {
    const first = this.chunks[0];
    if (first && first.length - this.head >= n) {
      const out = first.subarray(this.head, this.head + n);
      this.skipInFirst(n);
      return out;
    }
    const out = new Uint8Array(n);
    let o = 0;
    while (o < n) {
      const c = this.chunks[0];
      const m = Math.min(n - o, c.length - this.head);
      out.set(c.subarray(this.head, this.head + m), o);
      o += m;
      this.skipInFirst(m);
    }
    return out;
  }

  clear(): void {
    this.chunks = [];
    this.head = 0;
    this.length = 0;
  }

  private skipInFirst(n: number): void {
    this.head += n;
    this.length -= n;
    if (this.head === this.chunks[0].length) {
      this.chunks.shift();
      this.head = 0;
    }
  }
}

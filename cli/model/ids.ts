// Identifiers shaped like the real APIs' (msg_…, toolu_…, chatcmpl-…, resp_…, call_…), unique per server.

const ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

export class IdMaker {
  private n = 0;
  constructor(private readonly salt: number) {}

  /** `prefix` + 24 base62 characters derived from a counter and the server's salt. */
  next(prefix: string): string {
    this.n++;
    let x = BigInt(this.salt) * 1000003n + BigInt(this.n) * 2654435761n;
    let s = '';
    for (let i = 0; i < 24; i++) {
      x = (x * 6364136223846793005n + 1442695040888963407n) & 0xffffffffffffffffn;
      s += ALPHABET[Number((x >> 33n) % 62n)];
    }
    return prefix + s;
  }
}

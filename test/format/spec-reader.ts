// A trace reader written from format/SPEC.md alone, sharing no code with format/: its own msgpack
// decoder, JSON Patch, leaves and runs; DEFLATE and Brotli from node:zlib. If the spec leaves something out, this
// reader disagrees with lapse's on some fixture and the test beside it fails.
import { brotliDecompressSync, inflateRawSync } from 'node:zlib';

type Rec = Record<string, unknown> & { kind: string; t: number };

export interface SpecRead {
  version: [number, number];
  records: Rec[];
  summary: Rec | null;
  truncated: boolean;
}

class Damage extends Error {}

// ---- msgpack (only what a decoder needs; fixext 1 of type 0x4C + an integer = string-table reference,
// of type 0x57 + a string = a word-coded string) ----
class Unpacker {
  o = 0;
  words: string[] | null = null;
  private readonly view: DataView;
  private readonly text = new TextDecoder('utf-8', { fatal: true });
  constructor(
    private readonly b: Uint8Array,
    private readonly strings: string[],
  ) {
    this.view = new DataView(b.buffer, b.byteOffset, b.byteLength);
  }
  private need(n: number): void {
    if (this.o + n > this.b.length) throw new Damage('msgpack value runs past the frame');
  }
  private str(n: number): string {
    this.need(n);
    const s = this.text.decode(this.b.subarray(this.o, this.o + n));
    this.o += n;
    return s;
  }
  private bin(n: number): Uint8Array {
    this.need(n);
    const out = this.b.slice(this.o, this.o + n);
    this.o += n;
    return out;
  }
  private arr(n: number): unknown[] {
    const out: unknown[] = [];
    for (let i = 0; i < n; i++) out.push(this.value());
    return out;
  }
  private map(n: number): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (let i = 0; i < n; i++) {
      const k = this.value();
      out[String(k)] = this.value();
    }
    return out;
  }
  private ext(n: number): unknown {
    this.need(1 + n);
    const type = this.b[this.o++];
    if ((type !== 0x4c && type !== 0x57) || n !== 1 || this.b[this.o] !== 0) throw new Damage(`unknown msgpack ext ${type}`);
    this.o += 1;
    if (type === 0x57) {
      // a word-coded string: U+E000 + i stands for word i of the frame's word table
      const coded = this.value();
      if (typeof coded !== 'string' || !this.words) throw new Damage('word-coded string without a word table');
      return coded.replace(/[\ue000-\uf8ff]/g, (c) => {
        const w = this.words![c.charCodeAt(0) - 0xe000];
        if (w === undefined) throw new Damage('word past the table');
        return w;
      });
    }
    // the reference's index follows the ext as a msgpack integer of its own
    const index = this.value();
    if (typeof index !== 'number' || index >= this.strings.length) throw new Damage(`string reference ${String(index)} before its definition`);
    return this.strings[index];
  }
  private u(n: 1 | 2 | 4 | 8): number {
    this.need(n);
    const v = this.view;
    const o = this.o;
    this.o += n;
    if (n === 1) return v.getUint8(o);
    if (n === 2) return v.getUint16(o);
    if (n === 4) return v.getUint32(o);
    return Number(v.getBigUint64(o));
  }
  private i(n: 1 | 2 | 4 | 8): number {
    this.need(n);
    const v = this.view;
    const o = this.o;
    this.o += n;
    if (n === 1) return v.getInt8(o);
    if (n === 2) return v.getInt16(o);
    if (n === 4) return v.getInt32(o);
    return Number(v.getBigInt64(o));
  }
  value(): unknown {
    this.need(1);
    const c = this.b[this.o++];
    if (c <= 0x7f) return c;
    if (c >= 0xe0) return c - 256;
    if ((c & 0xe0) === 0xa0) return this.str(c & 31);
    if ((c & 0xf0) === 0x90) return this.arr(c & 15);
    if ((c & 0xf0) === 0x80) return this.map(c & 15);
    switch (c) {
      case 0xc0: return null;
      case 0xc2: return false;
      case 0xc3: return true;
      case 0xc4: return this.bin(this.u(1));
      case 0xc5: return this.bin(this.u(2));
      case 0xc6: return this.bin(this.u(4));
      case 0xc7: return this.ext(this.u(1));
      case 0xc8: return this.ext(this.u(2));
      case 0xc9: return this.ext(this.u(4));
      case 0xca: { this.need(4); const x = this.view.getFloat32(this.o); this.o += 4; return x; }
      case 0xcb: { this.need(8); const x = this.view.getFloat64(this.o); this.o += 8; return x; }
      case 0xcc: return this.u(1);
      case 0xcd: return this.u(2);
      case 0xce: return this.u(4);
      case 0xcf: return this.u(8);
      case 0xd0: return this.i(1);
      case 0xd1: return this.i(2);
      case 0xd2: return this.i(4);
      case 0xd3: return this.i(8);
      case 0xd4: return this.ext(1);
      case 0xd5: return this.ext(2);
      case 0xd6: return this.ext(4);
      case 0xd7: return this.ext(8);
      case 0xd8: return this.ext(16);
      case 0xd9: return this.str(this.u(1));
      case 0xda: return this.str(this.u(2));
      case 0xdb: return this.str(this.u(4));
      case 0xdc: return this.arr(this.u(2));
      case 0xdd: return this.arr(this.u(4));
      case 0xde: return this.map(this.u(2));
      case 0xdf: return this.map(this.u(4));
      default: throw new Damage(`bad msgpack byte ${c}`);
    }
  }
}

// ---- CRC-32 (IEEE) ----
const CRC = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();
function crc32(b: Uint8Array): number {
  let c = 0xffffffff;
  for (let i = 0; i < b.length; i++) c = CRC[(c ^ b[i]) & 255] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

// ---- JSON Patch (RFC 6902) on copies ----
function clone<T>(v: T): T {
  return v === undefined ? v : (JSON.parse(JSON.stringify(v)) as T);
}
function pointer(path: string): string[] {
  if (path === '') return [];
  return path.slice(1).split('/').map((k) => k.replace(/~1/g, '/').replace(/~0/g, '~'));
}
function applyPatch(doc: unknown, ops: Array<Record<string, unknown>>): unknown {
  let root = clone(doc);
  const parentOf = (path: string): [unknown, string] => {
    const keys = pointer(path);
    let node: unknown = root;
    for (const k of keys.slice(0, -1)) {
      node = (node as Record<string, unknown>)[k];
      if (typeof node !== 'object' || node === null) throw new Damage(`patch path ${path} does not exist`);
    }
    return [node, keys[keys.length - 1]];
  };
  const get = (path: string): unknown => {
    let node: unknown = root;
    for (const k of pointer(path)) {
      if (typeof node !== 'object' || node === null || !(k in (node as object))) throw new Damage(`patch path ${path} does not exist`);
      node = (node as Record<string, unknown>)[k];
    }
    return node;
  };
  const remove = (path: string): void => {
    const [p, k] = parentOf(path);
    if (Array.isArray(p)) p.splice(Number(k), 1);
    else delete (p as Record<string, unknown>)[k];
  };
  const add = (path: string, value: unknown): void => {
    if (path === '') {
      root = value;
      return;
    }
    const [p, k] = parentOf(path);
    if (Array.isArray(p)) p.splice(k === '-' ? p.length : Number(k), 0, value);
    else (p as Record<string, unknown>)[k] = value;
  };
  for (const op of ops) {
    const path = op.path as string;
    switch (op.op) {
      case 'add': add(path, clone(op.value)); break;
      case 'remove': get(path); remove(path); break;
      case 'replace': {
        get(path);
        if (path === '') root = clone(op.value);
        else {
          const [p, k] = parentOf(path);
          (p as Record<string, unknown>)[k] = clone(op.value);
        }
        break;
      }
      case 'move': { const v = get(op.from as string); remove(op.from as string); add(path, v); break; }
      case 'copy': add(path, clone(get(op.from as string))); break;
      case 'test': if (JSON.stringify(get(path)) !== JSON.stringify(op.value)) throw new Damage('patch test failed'); break;
      default: throw new Damage(`unknown patch op ${String(op.op)}`);
    }
  }
  return root;
}

// ---- leaves ----
function leavesOf(v: unknown, out: unknown[] = []): unknown[] {
  if (Array.isArray(v)) for (const x of v) leavesOf(x, out);
  else if (typeof v === 'object' && v !== null) for (const k of Object.keys(v)) leavesOf((v as Record<string, unknown>)[k], out);
  else out.push(v);
  return out;
}
/** A copy of `base` whose leaf i is `value(i)`. */
function withLeafValues(base: unknown, value: (i: number, old: unknown) => unknown): unknown {
  let i = 0;
  const walk = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(walk);
    if (typeof v === 'object' && v !== null) {
      const o: Record<string, unknown> = {};
      for (const k of Object.keys(v)) o[k] = walk((v as Record<string, unknown>)[k]);
      return o;
    }
    const idx = i++;
    return value(idx, v);
  };
  return walk(base);
}

// ---- the reader ----
export function specRead(file: Uint8Array): SpecRead {
  const magic = 'LAPSE';
  for (let i = 0; i < 5; i++) if (file[i] !== magic.charCodeAt(i)) throw new Error('not a lapse trace');
  const version: [number, number] = [file[5], file[6]];
  if (version[0] !== 1) throw new Error('unknown major version');
  const open = (file[7] & 1) === 1;
  const out: SpecRead = { version, records: [], summary: null, truncated: open };
  const strings: string[] = [];
  const bodies = new Map<string, unknown>();
  const bases = new Map<string, Map<string, unknown>>();
  let dict = new Uint8Array(0);
  let time = 0;
  let o = 8;
  const keyOf = (event: unknown, hasId: boolean) => `${event === undefined ? '' : String(event)}|${hasId}`;
  const basesOf = (id: string) => {
    let m = bases.get(id);
    if (!m) bases.set(id, (m = new Map()));
    return m;
  };
  const at = (dt: number): number => {
    time += dt;
    if (time < 0) throw new Damage('time before the session start');
    return time;
  };
  const remember = (id: string, ev: Record<string, unknown>) => {
    if (typeof ev.data === 'object' && ev.data !== null) basesOf(id).set(keyOf(ev.event, ev.id !== undefined), ev.data);
  };
  try {
    while (o < file.length) {
      if (o + 9 > file.length) throw new Damage('cut inside a frame header');
      const view = new DataView(file.buffer, file.byteOffset + o, 9);
      const length = view.getUint32(0, true);
      const crc = view.getUint32(4, true);
      const codec = file[o + 8];
      if (codec > 5) throw new Damage('unknown codec');
      if (o + 9 + length > file.length) throw new Damage('cut inside a frame');
      const payload = file.subarray(o + 9, o + 9 + length);
      o += 9 + length;
      if (crc32(payload) !== crc) throw new Damage('checksum');
      let plain: Uint8Array;
      if (codec === 0 || codec === 3) plain = payload;
      else if (codec === 5) {
        plain = new Uint8Array(brotliDecompressSync(payload.subarray(4)));
        if (plain.length !== new DataView(payload.buffer, payload.byteOffset, 4).getUint32(0, true)) throw new Damage('length');
      } else {
        const deflated = codec === 1 ? payload : payload.subarray(4);
        plain = new Uint8Array(inflateRawSync(deflated, dict.length ? { dictionary: dict } : {}));
        if (codec !== 1 && plain.length !== new DataView(payload.buffer, payload.byteOffset, 4).getUint32(0, true)) throw new Damage('length');
      }
      const all = new Uint8Array(dict.length + plain.length);
      all.set(dict);
      all.set(plain, dict.length);
      dict = all.slice(Math.max(0, all.length - 32 * 1024));
      let times: number[] = [];
      let pieceLengths: number[] = [];
      const u = new Unpacker(plain, strings);
      while (u.o < plain.length) {
        const r = u.value() as Rec;
        if (typeof r !== 'object' || r === null || typeof r.kind !== 'string' || typeof r.t !== 'number') throw new Damage('not a record');
        if (r.kind === 'string') {
          strings.push(r.value as string);
          continue;
        }
        if (r.kind === 'summary') {
          out.summary = r;
          continue;
        }
        if (r.kind === 'columns') {
          const planes = (r.dt as Uint8Array | undefined) ?? new Uint8Array(0);
          const m = planes.length / 4;
          times = Array.from({ length: m }, (_, i) => planes[i] | (planes[m + i] << 8) | (planes[2 * m + i] << 16) | (planes[3 * m + i] << 24));
          pieceLengths = ((r.lengths as number[] | undefined) ?? []).slice();
          continue;
        }
        if (r.kind === 'words') {
          u.words = r.words as string[];
          continue;
        }
        if (r.kind === 'sse-run') {
          const id = r.id as string;
          const n = r.n as number;
          const leaves = r.leaves as number[];
          const cols = (r.cols as Array<unknown[] | { joined: string; lengths?: number[] }>).map((c) => {
            if (Array.isArray(c)) return c;
            if (!c.lengths && pieceLengths.length < n) throw new Damage('joined column without its lengths');
            const lengths = c.lengths ?? pieceLengths.splice(0, n);
            let at = 0;
            return lengths.map((len) => c.joined.slice(at, (at += len)));
          });
          let deltas: number[];
          if (r.dt) {
            const dt = r.dt as Uint8Array;
            const dv = new DataView(dt.buffer, dt.byteOffset, dt.byteLength);
            deltas = Array.from({ length: n - 1 }, (_, k) => dv.getInt32(4 * k, true));
          } else {
            if (times.length < n - 1) throw new Damage('run without its times');
            deltas = times.splice(0, n - 1);
          }
          const key = keyOf(r.event, r.ids !== undefined);
          let base = basesOf(id).get(key);
          if (base === undefined) throw new Damage('run without a base');
          if (leaves.length && leaves[leaves.length - 1] >= leavesOf(base).length) throw new Damage('run leaf out of range');
          for (let k = 0; k < n; k++) {
            const t = at(k === 0 ? r.t : deltas[k - 1]);
            const data = withLeafValues(base, (i, old) => {
              const j = leaves.indexOf(i);
              return j === -1 ? old : cols[j][k];
            });
            const sse: Record<string, unknown> = { form: 'structured' };
            if (r.event !== undefined) sse.event = r.event;
            if (r.ids !== undefined) sse.id = (r.ids as string[])[k];
            sse.data = data;
            out.records.push({ kind: 'http-data', t, id, sse });
            base = data;
          }
          basesOf(id).set(key, base);
          continue;
        }
        r.t = at(r.t);
        if (r.kind === 'http-request') {
          const body = r.body as Record<string, unknown>;
          if (body.enc === 'json') bodies.set(r.id as string, body.value);
          else if (body.enc === 'patch') {
            if (!bodies.has(body.base as string)) throw new Damage('patch without its base');
            const value = applyPatch(bodies.get(body.base as string), body.ops as Array<Record<string, unknown>>);
            bodies.set(r.id as string, value);
            r.body = { enc: 'json', value };
          }
        } else if (r.kind === 'http-data' && r.sse) {
          const ev = r.sse as Record<string, unknown>;
          if (ev.form === 'same') {
            const base = basesOf(r.id as string).get(keyOf(ev.event, ev.id !== undefined));
            if (base === undefined) throw new Damage('same without a base');
            const changes = new Map((ev.changes as Array<[number, unknown]>).map(([i, v]) => [i, v]));
            const data = withLeafValues(base, (i, old) => (changes.has(i) ? changes.get(i) : old));
            const s: Record<string, unknown> = { form: 'structured' };
            if (ev.event !== undefined) s.event = ev.event;
            if (ev.id !== undefined) s.id = ev.id;
            s.data = data;
            r.sse = s;
          }
          if ((r.sse as Record<string, unknown>).form === 'structured') remember(r.id as string, r.sse as Record<string, unknown>);
        } else if (r.kind === 'http-end') bases.delete(r.id as string);
        out.records.push(r);
      }
    }
  } catch (err) {
    if (!(err instanceof Damage)) throw err;
    out.truncated = true;
  }
  return out;
}

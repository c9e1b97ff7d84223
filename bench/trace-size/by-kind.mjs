// Where a compacted trace's bytes go: its records by kind (http-request by body form, http-data by
// SSE form), with their msgpack bytes and those bytes deflated on their own (as compacted: word-coded
// strings count as stored).
//   npm run build && OUT=/tmp/t.lapse node bench/trace-size/run.mjs && node bench/trace-size/by-kind.mjs /tmp/t.lapse
import { readFileSync } from 'node:fs';
import { deflateRawSync } from 'node:zlib';
import { compactTrace } from '../../dist/format/index.js';
import { nodeBrotliEncode } from '../../dist/cli/trace/brotli.js';
import { Dictionary, inflateFrame } from '../../dist/format/frame.js';
import { packr, setWords, withStringTable } from '../../dist/format/packr.js';

const path = process.argv[2];
if (!path) throw new Error('usage: node bench/trace-size/by-kind.mjs TRACE');
const c = compactTrace(new Uint8Array(readFileSync(path)), undefined, { brotli: nodeBrotliEncode });
const d = new Dictionary();
const table = [];
const by = new Map();
let plain = 0;
for (let o = 8; o < c.length; ) {
  const len = new DataView(c.buffer, c.byteOffset + o).getUint32(0, true);
  const pl = inflateFrame(c.subarray(o + 9, o + 9 + len), c[o + 8], d);
  d.append(pl);
  plain += pl.length;
  o += 9 + len;
  withStringTable(table, () =>
    packr.unpackMultiple(pl, (v, start, end) => {
      if (v.kind === 'string') table.push(v.value);
      if (v.kind === 'words') setWords(v.words);
      const k = v.kind === 'http-data' ? `http-data:${v.sse ? v.sse.form : 'chunk'}` : v.kind === 'http-request' ? `http-request:${v.body.enc}` : v.kind;
      const e = by.get(k) ?? { n: 0, parts: [] };
      e.n++;
      e.parts.push(pl.subarray(start, end));
      by.set(k, e);
    }),
  );
}
console.log(`compacted ${c.length.toLocaleString('en-US')} B, plaintext ${plain.toLocaleString('en-US')} B`);
console.log(`${'kind'.padEnd(26)} ${'records'.padStart(8)} ${'msgpack B'.padStart(10)} ${'deflated alone'.padStart(15)}`);
for (const [k, e] of [...by].sort((a, b) => b[1].parts.reduce((n, p) => n + p.length, 0) - a[1].parts.reduce((n, p) => n + p.length, 0))) {
  const all = Buffer.concat(e.parts);
  console.log(`${k.padEnd(26)} ${String(e.n).padStart(8)} ${String(all.length).padStart(10)} ${String(deflateRawSync(all, { level: 9 }).length).padStart(15)}`);
}

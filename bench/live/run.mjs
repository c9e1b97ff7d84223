// Following a live trace: what a new record costs when the pass is fed incrementally and the views
// take a snapshot now and then (analysis/pipeline.ts `snapshot()`), against rebuilding the analysis
// from all records at each update (what a viewer without snapshots would do).
//
//   npm run build && node bench/live/run.mjs [--steps N] [--every K]
//
// The trace is the viewer bench's synthetic Claude-Code-shaped session (N steps); the records are
// fed one by one, with a snapshot every K records (default: 250, about what a busy stream brings in
// the viewers' 100–150 ms update interval). Goal (#20): the incremental cost per record stays flat as
// the trace grows (O(1) amortised, the snapshot's share bounded by requests, not records); the
// rebuild's grows with the trace.
import { syntheticTrace } from '../viewer/synthetic.mjs';
import { readTrace } from '../../dist/format/index.js';
import { SessionBuilder, analyseRecordList } from '../../dist/analysis/session.js';

const args = process.argv.slice(2);
const arg = (name, dflt) => {
  const i = args.indexOf(name);
  return i === -1 ? dflt : Number(args[i + 1]);
};
const every = arg('--every', 250);

for (const steps of args.includes('--steps') ? [arg('--steps', 200)] : [50, 200, 800]) {
  const { records } = readTrace(syntheticTrace({ steps, tokensPerStep: 120 }).bytes);
  const n = records.length;
  // incremental: add each record, snapshot every `every`
  let t0 = performance.now();
  const b = new SessionBuilder();
  let snapshots = 0;
  let snapMs = 0;
  for (let i = 0; i < n; i++) {
    b.add(records[i], i);
    if (i % every === every - 1) {
      const s0 = performance.now();
      b.snapshot({ truncated: false });
      snapMs += performance.now() - s0;
      snapshots++;
    }
  }
  b.analysis({ truncated: false });
  const incMs = performance.now() - t0;
  // rebuild: at each update, analyse every record so far again (only a few updates, extrapolated)
  const sample = Math.min(snapshots, 8);
  t0 = performance.now();
  let rebuiltRecords = 0;
  for (let k = 1; k <= sample; k++) {
    const upto = Math.round((n * k) / sample);
    analyseRecordList(records.slice(0, upto));
    rebuiltRecords += upto;
  }
  const perRebuiltRecord = (performance.now() - t0) / rebuiltRecords;
  // every update rebuilding: sum over the snapshots of (records so far) × cost per record
  const rebuildMs = perRebuiltRecord * ((snapshots * (snapshots + 1)) / 2) * every;
  const us = (ms) => ((ms * 1000) / n).toFixed(2);
  console.log(
    `${steps} steps, ${n.toLocaleString('en-US')} records, ${snapshots} snapshots: incremental ${incMs.toFixed(0)} ms (${us(incMs)} µs/record, of which snapshots ${us(snapMs)} µs/record, ${(snapMs / Math.max(1, snapshots)).toFixed(2)} ms each)` +
      ` · rebuilding at every update ≈ ${rebuildMs.toFixed(0)} ms (${us(rebuildMs)} µs/record)`,
  );
}

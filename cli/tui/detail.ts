// What the detail pane shows at a moment: the text streamed so far per block, tool calls with their
// arguments, the tool results the request carried in, and the files changed while its tools ran.
// Per request, cumulative text offsets are computed once, so "so far at time t" is a binary search
// and a slice, however long the response.
import type { DeltaKind, FileChange, RequestModel, SegmentKind, SessionModel } from '../../analysis/model.js';
import type { ExchangesData } from '../../analysis/handlers/exchanges.js';
import { bodyJson } from '../../format/body.js';
import type { RequestInput } from '../../analysis/events.js';
import { decoderFor } from '../../analysis/protocols/index.js';
import { upperBound } from './text.js';

interface BlockIndex {
  kind: DeltaKind;
  block: number;
  /** The whole text of the block. */
  text: string;
  /** Indexes (into the request's deltas) of this block's deltas, and the text length after each. */
  deltaIdx: number[];
  ends: number[];
  toolName: string | null;
  /** For tool calls that streamed no argument deltas: when the call appeared. */
  appearsMs: number | null;
}

/** Per-request precomputation, built on first use. */
export class RequestContent {
  readonly times: Float64Array;
  readonly cumTokens: Float64Array;
  readonly blocks: BlockIndex[];

  constructor(r: RequestModel) {
    const n = r.deltas.length;
    this.times = new Float64Array(n);
    this.cumTokens = new Float64Array(n);
    const byKey = new Map<string, BlockIndex & { parts: string[]; len: number }>();
    const order: Array<BlockIndex & { parts: string[]; len: number }> = [];
    let tok = 0;
    const deltas = r.deltas;
    for (let i = 0; i < n; i++) {
      const d = deltas.at(i);
      this.times[i] = d.tMs;
      tok += d.tokens;
      this.cumTokens[i] = tok;
      // Chat puts text and tool call 0 both at index 0: the kind keeps them apart.
      const key = `${d.kind === 'tool-args' ? 'a' : d.kind}:${d.block}`;
      let b = byKey.get(key);
      if (!b) {
        const tc = d.kind === 'tool-args' ? r.toolCalls.find((c) => c.block === d.block) : undefined;
        b = { kind: d.kind, block: d.block, text: '', deltaIdx: [], ends: [], toolName: tc ? tc.name : null, appearsMs: null, parts: [], len: 0 };
        byKey.set(key, b);
        order.push(b);
      }
      b.parts.push(d.text);
      b.len += d.text.length;
      b.deltaIdx.push(i);
      b.ends.push(b.len);
    }
    const blocks: BlockIndex[] = order.map((b) => ({ kind: b.kind, block: b.block, text: b.parts.join(''), deltaIdx: b.deltaIdx, ends: b.ends, toolName: b.toolName, appearsMs: null }));
    // Tool calls whose arguments never streamed as deltas still show, from when they appeared.
    for (const tc of r.toolCalls) {
      if (byKey.has(`a:${tc.block}`)) continue;
      blocks.push({ kind: 'tool-args', block: tc.block, text: tc.arguments, deltaIdx: [], ends: [], toolName: tc.name, appearsMs: tc.startMs ?? tc.endMs ?? r.endMs });
    }
    this.blocks = blocks;
  }

  /** Number of content deltas that had arrived by original time `tMs`. */
  countAt(tMs: number): number {
    return upperBound(this.times, tMs);
  }
}

export interface ShownBlock {
  kind: DeltaKind;
  /** Tool name for tool-args blocks. */
  name: string | null;
  text: string;
  /** All of the block has arrived. */
  complete: boolean;
}

export type Phase = 'pending' | 'waiting' | 'streaming' | 'done';

export interface DetailView {
  request: RequestModel;
  phase: Phase;
  /** Original time the view is at. */
  tOrigMs: number;
  /** Content deltas arrived so far, and their estimated tokens. */
  deltasSoFar: number;
  tokensSoFar: number;
  input: RequestInput;
  /** Names of the tools whose results the input carries (by call id), when known. */
  resultNames: Array<string | null>;
  blocks: ShownBlock[];
  /** When the playhead is in the critical-path gap after this response: which kind of gap. */
  gap: SegmentKind | null;
  /** Files changed while this request's tools ran, up to now. */
  files: FileChange[];
}

/** Indexes over one session for the detail pane. */
export class DetailIndex {
  private readonly content = new Map<string, RequestContent>();
  private readonly inputs = new Map<string, RequestInput>();
  private readonly filesByRequest = new Map<string, FileChange[]>();
  private readonly fileTimes = new Map<string, Float64Array>();
  private readonly toolNameById = new Map<string, string>();

  constructor(
    readonly model: SessionModel,
    /** The analysis's exchanges (request bodies, frames); null when the records are not loaded. */
    readonly exchanges: ExchangesData | null,
  ) {
    for (const f of model.files) {
      if (f.requestId === null) continue;
      let list = this.filesByRequest.get(f.requestId);
      if (!list) this.filesByRequest.set(f.requestId, (list = []));
      list.push(f);
    }
    for (const [id, list] of this.filesByRequest) {
      list.sort((a, b) => a.tMs - b.tMs);
      this.fileTimes.set(id, Float64Array.from(list, (f) => f.tMs));
    }
    for (const r of model.requests) for (const tc of r.toolCalls) if (tc.id) this.toolNameById.set(tc.id, tc.name);
  }

  /**
   * A short key that changes exactly when what at() would show changes (deltas arrived, files,
   * tool calls appearing, phase): lets the pane skip rebuilding while nothing new streamed in.
   */
  stamp(r: RequestModel, tMs: number): string {
    const c = this.contentOf(r);
    const n = c.countAt(tMs);
    const ft = this.fileTimes.get(r.id);
    const files = ft ? upperBound(ft, tMs) : 0;
    let appeared = 0;
    for (const b of c.blocks) if (b.deltaIdx.length === 0 && b.appearsMs !== null && b.appearsMs <= tMs) appeared++;
    const phase = tMs < r.startMs ? 'p' : tMs >= r.endMs ? 'd' : n === 0 ? 'w' : 's';
    return `${r.id}|${n}|${files}|${appeared}|${phase}`;
  }

  contentOf(r: RequestModel): RequestContent {
    let c = this.content.get(r.id);
    if (!c) this.content.set(r.id, (c = new RequestContent(r)));
    return c;
  }

  inputOf(r: RequestModel): RequestInput {
    let x = this.inputs.get(r.id);
    if (!x) {
      x = { prompt: null, results: [] };
      const first = this.exchanges?.byId.get(r.id)?.request ?? null;
      const body = first?.kind === 'http-request' ? first.body : first?.kind === 'ws-message' ? first.data : undefined;
      if (body) {
        const json = bodyJson(body);
        if (json !== undefined) x = decoderFor(r.protocol).input(json, r.answersToolCallIds);
      }
      this.inputs.set(r.id, x);
    }
    return x;
  }

  /** The view of request `r` at original time `tMs`; `gap` is the critical segment kind at that time when it follows `r`. */
  at(r: RequestModel, tMs: number, gap: SegmentKind | null): DetailView {
    const c = this.contentOf(r);
    const n = c.countAt(tMs);
    const blocks: ShownBlock[] = [];
    for (const b of c.blocks) {
      if (b.deltaIdx.length === 0) {
        if (b.appearsMs !== null && b.appearsMs <= tMs) blocks.push({ kind: b.kind, name: b.toolName, text: b.text, complete: true });
        continue;
      }
      // How many of this block's deltas are among the first n deltas of the response.
      const k = upperBound(b.deltaIdx, n - 1);
      if (k === 0) continue;
      blocks.push({ kind: b.kind, name: b.toolName, text: b.text.slice(0, b.ends[k - 1]), complete: k === b.deltaIdx.length });
    }
    let phase: Phase;
    if (tMs < r.startMs) phase = 'pending';
    else if (tMs >= r.endMs) phase = 'done';
    else if (n === 0) phase = 'waiting';
    else phase = 'streaming';
    const input = this.inputOf(r);
    const ft = this.fileTimes.get(r.id);
    const files = ft ? (this.filesByRequest.get(r.id) ?? []).slice(0, upperBound(ft, tMs)) : [];
    return {
      request: r,
      phase,
      tOrigMs: tMs,
      deltasSoFar: n,
      tokensSoFar: n > 0 ? c.cumTokens[n - 1] : 0,
      input,
      resultNames: input.results.map((x) => this.toolNameById.get(x.id) ?? null),
      blocks,
      gap,
      files,
    };
  }
}

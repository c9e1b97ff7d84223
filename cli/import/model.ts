// What every importer produces (the speedscope shape: one builder output, whatever the input format):
// the model calls a transcript shows, with the times it knows. records.ts turns it into the same trace
// records a proxy recording has, so every view, `simulate` and `report` read imported sessions as they
// read recorded ones.
import type { TraceSource } from '../../format/types.js';

export type ImportProtocol = 'anthropic-messages' | 'openai-responses';

/** One content block of a response, in the order the model produced them. */
export type ImportedBlock =
  | { kind: 'text' | 'thinking'; text: string }
  | { kind: 'tool'; id: string; name: string; input: string; custom: boolean };

export interface ImportedCall {
  /** Epoch ms: the input it answers was complete (the prompt, or the last tool result, was written). */
  startMs: number;
  /** Epoch ms the first content block was written: the first token came no later than this. */
  firstBlockMs: number;
  /** Epoch ms the last content block (or the usage) was written. */
  endMs: number;
  model: string | null;
  /** The request body as the harness would have sent it (the conversation so far). */
  request: Record<string, unknown>;
  /** Extra request headers the harness sends (Claude Code marks its subagents' requests). */
  headers: Record<string, string>;
  blocks: ImportedBlock[];
  /** The usage object in the protocol's own shape (placed where the protocol's stream reports it); null if the transcript has none. */
  usage: Record<string, unknown> | null;
  /** Output tokens, for the stream estimate (null: estimate from the text). */
  outputTokens: number | null;
  stopReason: string | null;
  responseId: string | null;
}

export interface ImportedSession {
  source: Exclude<TraceSource, 'proxy'>;
  protocol: ImportProtocol;
  /** The harness's own session id. */
  sessionId: string;
  harness: 'claude' | 'codex';
  cwd: string;
  /** Harness version, when the transcript says. */
  version: string | null;
  /** Epoch ms of the first and last timestamped line. */
  startMs: number;
  endMs: number;
  calls: ImportedCall[];
  markers: Array<{ atMs: number; label: string }>;
}

/**
 * A transcript has no per-token times. The stream is taken as the output tokens at this rate, ending
 * when the response was written, starting no later than its first block was written and no earlier
 * than the request: a typical rate of today's frontier models, used only to split a response into
 * wait and stream (the requests are marked `estimated`; TTFT and tokens/s stay null).
 */
export const ASSUMED_TOKENS_PER_SECOND = 60;

export function estimatedFirstContentMs(c: Pick<ImportedCall, 'startMs' | 'firstBlockMs' | 'endMs' | 'outputTokens' | 'blocks'>): number {
  const chars = c.blocks.reduce((n, b) => n + (b.kind === 'tool' ? b.input.length : b.text.length), 0);
  const tokens = c.outputTokens ?? Math.ceil(chars / 4);
  const guess = c.endMs - (tokens / ASSUMED_TOKENS_PER_SECOND) * 1000;
  return Math.max(c.startMs, Math.min(guess, c.firstBlockMs, c.endMs));
}

/** A transcript line's ISO timestamp as epoch ms; null when absent or unreadable. */
export function timeOf(v: unknown): number | null {
  if (typeof v !== 'string') return null;
  const t = Date.parse(v);
  return Number.isFinite(t) ? t : null;
}

/** The JSON lines of a transcript; a line that does not parse (a crash mid-write) is skipped. */
export function jsonLines(text: string): Array<Record<string, unknown>> {
  const out: Array<Record<string, unknown>> = [];
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    try {
      const v = JSON.parse(line) as unknown;
      if (v && typeof v === 'object' && !Array.isArray(v)) out.push(v as Record<string, unknown>);
    } catch {
      // a torn last line: the rest of the transcript still counts
    }
  }
  return out;
}

// What the scripted endpoint calls a token: one word-ish piece of text. Every streamed content delta
// carries exactly one of these, and the usage it reports counts them, so analysis figures can be
// checked against the endpoint's own pacing.

// Leading whitespace, then a run of letters/digits (capped so long identifiers still stream in
// several pieces) or a single other character; whitespace at the very end is a token of its own.
const TOKEN_RE = /\s*(?:[\p{L}\p{N}_]{1,8}|[^\s\p{L}\p{N}_])|\s+/gu;

/** Splits text into tokens; `tokenize(s).join('') === s` always holds. */
export function tokenize(text: string): string[] {
  if (!text) return [];
  return text.match(TOKEN_RE) ?? [text];
}

export function countTokens(text: string): number {
  if (!text) return 0;
  let n = 0;
  TOKEN_RE.lastIndex = 0;
  for (const _ of text.matchAll(TOKEN_RE)) n++;
  return n;
}

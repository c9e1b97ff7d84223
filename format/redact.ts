// Secrets never reach the disk: headers, bodies, URLs and argv are scanned and every secret becomes a
// short fingerprint, so two records can still be seen to hold the same secret without storing it.
//
// What counts as a secret: gitleaks' default rules (ported by scripts/port-gitleaks-rules.mjs into
// secret-rules.ts: vendor prefixes, private keys, JWTs, a keyword + entropy rule for generic API keys),
// plus lapse's own broader shapes (any length of `sk-…`, `ghp_…`, `xoxb-…`, `AIza…` keys: a trace
// should rather redact a key of an unusual length than keep it), secret-named assignments
// (`API_TOKEN=…`, `"password": "…"`) whose value looks random, URL userinfo, secret and signed-URL
// query parameters, `Bearer`/`Basic` credentials, and the value after a secret-named command-line flag.
// Text with JSON escapes is matched as it reads unescaped (`sk\u002dant-…`, a PEM key with `\n`).
import { sha256 } from '@noble/hashes/sha2.js';
import { utf8Encode } from './utf8.js';
import type { Headers } from './types.js';
import type { SecretRuleSpec } from './secret-rule-spec.js';
import { KeywordScanner } from './keyword-scan.js';
import { GITLEAKS_RULES, GLOBAL_ALLOW, GLOBAL_STOPWORDS } from './secret-rules.js';

/** Headers that are secret whatever their value (names that do not say so themselves). */
export const SECRET_HEADERS = new Set([
  'authorization',
  'x-api-key',
  'proxy-authorization',
  'cookie',
  'set-cookie',
  'api-key',
  'openai-api-key',
  'anthropic-api-key',
  'x-goog-api-key',
]);

/** Query parameters whose values are secrets whatever they look like (signed URLs included). */
export const SECRET_QUERY_PARAMS = new Set([
  'key', 'api_key', 'apikey', 'api-key', 'token', 'access_token', 'refresh_token', 'id_token', 'auth', 'secret', 'client_secret',
  'password', 'passwd', 'pwd', 'code', 'sig', 'signature', 'x-amz-signature', 'x-amz-credential', 'x-amz-security-token',
  'x-goog-signature', 'x-goog-credential', 'x-goog-security-token', 'policy', 'key-pair-id',
]);

const HEX = '0123456789abcdef';

export function fingerprint(secret: string): string {
  const digest = sha256(utf8Encode(secret));
  let hex = '';
  for (let i = 0; i < 4; i++) hex += HEX[digest[i] >> 4] + HEX[digest[i] & 15];
  return `[redacted:${hex}]`;
}

const FINGERPRINT = /^\[redacted:[0-9a-f]{8}\]$/;

/** A header (by name) whose every value is a credential: the well-known ones, and any name that says so. */
export function isSecretHeader(name: string): boolean {
  const n = name.toLowerCase();
  if (SECRET_HEADERS.has(n)) return true;
  if (n.startsWith('sec-websocket-') || n.includes('ratelimit') || n.includes('rate-limit')) return false;
  return /auth|token|secret|signature|cookie|passw|credential|session|apikey|(?:^|[-_])(?:api[-_]?)?key(?:$|[-_])/.test(n);
}

/** A name (env variable, JSON property, YAML key) under which a value is a secret. */
export function isSecretName(name: string): boolean {
  // camelCase → snake_case, so `stripeKey` reads as `stripe_Key`
  const n = name.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toLowerCase();
  return /(?:^|[^a-z])(?:pass|password|passwd|passphrase|pwd|secret|secrets|token|apikey|key|credential|credentials|creds|auth|cookie|salt|dsn|private)(?:$|[^a-z])/.test(n);
}

/** A command-line flag whose value is a secret (`--github-token`, `--api-key=…`, `-p`assword is not guessed). */
export function isSecretFlag(flag: string): boolean {
  return /^--?[a-z0-9_-]*(?:^|[-_])?(?:token|key|apikey|secret|password|passwd|pass|pwd|auth|credential|credentials)(?:$|[-_])/i.test(flag) && isSecretName(flag.replace(/^-+/, ''));
}

/** Shannon entropy in bits per character. */
export function entropy(s: string): number {
  if (!s) return 0;
  const counts = new Map<string, number>();
  for (const c of s) counts.set(c, (counts.get(c) ?? 0) + 1);
  let h = 0;
  for (const n of counts.values()) {
    const p = n / s.length;
    h -= p * Math.log2(p);
  }
  return h;
}

// ---------------------------------------------------------------------------------------------------
// Rules

interface Rule {
  id: string;
  re: RegExp;
  keywords: string[];
  group?: number;
  entropy?: number;
  allow: RegExp[];
  allowMatch: RegExp[];
  stop: string[];
  /** Judges a candidate beyond regex and entropy (lapse's own rules). */
  accept?: (secret: string, match: RegExpExecArray) => boolean;
  /** Every match starts where one of the rule's keywords starts (see LEADING). */
  leads?: boolean;
  /** For a leading rule: its regex, sticky; and its keywords' scanner indexes. */
  sticky?: RegExp;
  keywordIndexes?: number[];
}

/**
 * Ported rules whose every match starts at one of their keywords (their regex opens with the keyword,
 * after at most a `\b`). They are tried only where a keyword starts instead of at every position of the
 * text: the keywords of the generic rule (token, key, auth…) are common words, and trying its regex
 * everywhere in a text that holds one was most of redaction's cost. test/format/redaction-prefilter
 * checks, on a corpus, that every match does start at a keyword and that the spans found are the same.
 */
const LEADING = new Set(['generic-api-key', 'jwt', 'curl-auth-header', 'curl-auth-user', 'octopus-deploy-api-key']);

function compile(src: string): RegExp {
  return src.startsWith('(?i)') ? new RegExp(src.slice(4), 'dgi') : new RegExp(src, 'dg');
}

function fromSpec(s: SecretRuleSpec): Rule {
  return {
    id: s.id,
    re: compile(s.src),
    keywords: s.keywords,
    group: s.group,
    entropy: s.entropy,
    allow: (s.allow ?? []).map(compile),
    allowMatch: (s.allowMatch ?? []).map(compile),
    stop: s.stop ?? [],
  };
}

const notPlaceholder = (v: string) => !/^(?:\$\{?[\w.]+\}?|<[^>]*>|\{\{[^}]*\}\}|%[\w]+%|process\.env\.\w+|x+|\*+|\.+|changeme|change_me|redacted|null|none|true|false|undefined)$/i.test(v);

/** lapse's own rules: the shapes a coding session carries, at any length a vendor may issue. */
const OWN_RULES: Array<Omit<Rule, 'allow' | 'allowMatch' | 'stop'> & { allow?: RegExp[] }> = [
  { id: 'lapse-sk', re: /\bsk-(?:ant-|proj-|svcacct-|admin-)?[A-Za-z0-9_-]{16,}/dg, keywords: ['sk-'], leads: true },
  { id: 'lapse-github', re: /\b(?:gh[pousr]_[A-Za-z0-9]{20,}|github_pat_[A-Za-z0-9_]{20,})/dg, keywords: ['gh', 'github_pat_'], leads: true },
  { id: 'lapse-slack', re: /\bxox[abposre]-[A-Za-z0-9-]{10,}/dg, keywords: ['xox'], leads: true },
  { id: 'lapse-stripe', re: /\b[rsp]k_(?:live|test)_[A-Za-z0-9]{10,}/dg, keywords: ['_live_', '_test_'] },
  { id: 'lapse-npm', re: /\bnpm_[A-Za-z0-9]{30,}/dg, keywords: ['npm_'], leads: true },
  { id: 'lapse-google', re: /\bAIza[0-9A-Za-z_-]{30,}/dg, keywords: ['aiza'], leads: true },
  { id: 'lapse-aws-id', re: /\b(?:AKIA|ASIA|AGPA|AIDA|AROA|AIPA|ANPA|ANVA|ABIA|ACCA)[A-Z0-9]{16}\b/dg, keywords: ['akia', 'asia', 'agpa', 'aida', 'aroa', 'aipa', 'anpa', 'anva', 'abia', 'acca'], leads: true },
  { id: 'lapse-gitlab', re: /\bgl(?:pat|ptt|dt|rt|cbt|soat|ffct|imt|agent)-[A-Za-z0-9_-]{16,}/dg, keywords: ['gl'], leads: true },
  { id: 'lapse-huggingface', re: /\bhf_[A-Za-z0-9]{30,}/dg, keywords: ['hf_'], leads: true },
  { id: 'lapse-jwt', re: /\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]*/dg, keywords: ['eyj'], leads: true },
  {
    // A private key, up to its END line; a key cut short (a truncated file, a stream still going) up
    // to a blank line or the end of the text.
    id: 'lapse-private-key',
    re: /-----BEGIN[ A-Z0-9_-]{0,100}PRIVATE KEY(?: BLOCK)?-----[\s\S]{0,16384}?(?:-----END[ A-Z0-9_-]{0,100}PRIVATE KEY(?: BLOCK)?-----|(?=\n[ \t+-]*\n)|$)/dg,
    keywords: ['-----begin'],
    leads: true,
  },
  { id: 'lapse-bearer', re: /\b(?:Bearer|Basic)\s+([A-Za-z0-9._~+/=-]{12,})/dgi, keywords: ['bearer', 'basic'], entropy: 3, leads: true },
  {
    // scheme://user:password@host, or a token as the user (https://ghp_…@github.com)
    id: 'lapse-url-userinfo',
    re: /\b[a-z][a-z0-9+.-]{1,20}:\/\/([^\s/?#@"'<>`\\]+)@/dgi,
    keywords: ['://'],
    accept: (userinfo) => {
      const colon = userinfo.indexOf(':');
      if (colon !== -1) return colon < userinfo.length - 1;
      return userinfo.length >= 16 && entropy(userinfo) >= 3;
    },
  },
  {
    // a secret-named or signing parameter in a URL anywhere in a text
    id: 'lapse-url-param',
    re: /[?&]([A-Za-z0-9_.-]{1,40})=([^&\s"'#<>`\\]+)/dg,
    keywords: ['sig', 'key', 'token', 'auth', 'secret', 'code', 'pass', 'pwd', 'credential', 'policy'],
    group: 2,
    accept: (value, m) => SECRET_QUERY_PARAMS.has(safeDecode(m[1]).toLowerCase()) && value.length >= 4 && notPlaceholder(value),
  },
  {
    // `--github-token ghp_…`, `--api-key=…` in a command line inside a text
    id: 'lapse-flag',
    re: /(?:^|[\s"'`])(--?[A-Za-z][A-Za-z0-9_-]{0,60})(?:=|[ \t]+)["']?([^\s"'`-][^\s"'`]*)/dg,
    keywords: ['token', 'key', 'secret', 'pass', 'pwd', 'auth', 'cred'],
    group: 2,
    accept: (value, m) => isSecretFlag(m[1]) && !/^\d+$/.test(value) && notPlaceholder(value),
  },
  {
    // KEY=value / KEY: value / "key": "value" under a secret-looking name, when the value looks random
    // (.env files, config diffs, tool results). The regex starts at the secret word (cheaper than at
    // every word); the whole name is read backwards from there.
    id: 'lapse-assignment',
    re: /(?:pass|pwd|secret|token|key|cred|auth|cookie|salt|dsn|private)[A-Za-z0-9_.-]{0,40}["']?[ \t]*(?:=|:=|=>|:)[ \t]*["'`]?([^\s"'`,;)}\]]{8,})/dgi,
    keywords: ['pass', 'pwd', 'secret', 'token', 'key', 'cred', 'auth', 'cookie', 'salt', 'dsn', 'private'],
    leads: true,
    group: 1,
    accept: (value, m) => {
      let from = m.index;
      while (from > 0 && from > m.index - 40 && /[A-Za-z0-9_.-]/.test(m.input[from - 1])) from--;
      const name = m.input.slice(from, m.index) + /^[A-Za-z0-9_.-]*/.exec(m[0])![0];
      // a fingerprint (`KEY=[redacted:…]` read again: the value stops before its `]`) is not a new secret
      return isSecretName(name) && !/^(?:signature|sig)$/i.test(name) && entropy(value) >= 3 && notPlaceholder(value) && !value.includes('://') && !value.startsWith('[redacted:');
    },
  },
];

let compiled: { byKeyword: Rule[][]; always: Rule[]; scanner: KeywordScanner; globalAllow: RegExp[] } | null = null;

function rules() {
  if (compiled) return compiled;
  const list: Rule[] = [...GITLEAKS_RULES.map((spec) => ({ ...fromSpec(spec), leads: LEADING.has(spec.id) })), ...OWN_RULES.map((r) => ({ allowMatch: [], stop: [], ...r, allow: r.allow ?? [] }))];
  const index = new Map<string, number>();
  const byKeyword: Rule[][] = [];
  const always: Rule[] = [];
  for (const r of list) {
    if (r.keywords.length === 0) always.push(r);
    for (const k of new Set(r.keywords)) {
      let i = index.get(k);
      if (i === undefined) {
        index.set(k, (i = byKeyword.length));
        byKeyword.push([]);
      }
      byKeyword[i].push(r);
    }
  }
  for (const r of list) {
    if (!r.leads || !r.keywords.length) continue;
    r.sticky = new RegExp(r.re.source, `${r.re.flags}y`);
    r.keywordIndexes = [...new Set(r.keywords)].map((k) => index.get(k)!);
  }
  compiled = { byKeyword, always, scanner: new KeywordScanner([...index.keys()]), globalAllow: GLOBAL_ALLOW.map(compile) };
  return compiled;
}

/**
 * The rules worth running on a text: those with no keyword, and those one of whose keywords it
 * contains; and where each keyword starts (leading rules are tried only there).
 */
function candidates(text: string): { list: Rule[]; starts: Map<number, number[]> } {
  const c = rules();
  const hits: number[] = [];
  const starts = c.scanner.starts(text, hits);
  if (hits.length === 0) return { list: c.always, starts };
  // one keyword (a streamed event's usual case): its rules as they are, no set made
  if (hits.length === 1 && c.always.length === 0) return { list: c.byKeyword[hits[0]], starts };
  // in keyword order, as a walk over `starts` would add them (only the few found are visited)
  if (hits.length > 1) hits.sort((a, b) => a - b);
  const found = new Set<Rule>(c.always);
  for (const k of hits) for (const r of c.byKeyword[k]) found.add(r);
  return { list: [...found], starts };
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

interface Span {
  start: number;
  end: number;
}

function allowed(rule: Rule, secret: string, match: string, globalAllow: RegExp[]): boolean {
  const lower = secret.toLowerCase();
  const test = (re: RegExp, s: string) => {
    re.lastIndex = 0;
    return re.test(s);
  };
  if (rule.allow.some((re) => test(re, secret)) || rule.allowMatch.some((re) => test(re, match))) return true;
  if (rule.stop.some((w) => lower.includes(w))) return true;
  if (!rule.id.startsWith('lapse-') && (globalAllow.some((re) => test(re, secret)) || GLOBAL_STOPWORDS.some((w) => lower.includes(w)))) return true;
  return FINGERPRINT.test(secret);
}

/**
 * The rule's matches in order, as its global regex finds them from `re.lastIndex` on: for a leading
 * rule, tried only where its keywords start (sticky) — the same matches, since none starts elsewhere.
 */
function matcher(rule: Rule, text: string, keywordStarts: Map<number, number[]>, exhaustive: boolean): { re: RegExp; exec: () => RegExpExecArray | null } {
  if (!rule.sticky || exhaustive) return { re: rule.re, exec: () => rule.re.exec(text) };
  const re = rule.sticky;
  const lists = rule.keywordIndexes!.map((k) => keywordStarts.get(k)).filter((l): l is number[] => l !== undefined);
  const starts = lists.length === 1 ? lists[0] : lists.flat().sort((a, b) => a - b);
  let i = 0;
  return {
    re,
    exec: () => {
      // lastIndex is where the global scan would go on from (the last match's end, or as adjusted)
      const from = re.lastIndex;
      while (i < starts.length) {
        const p = starts[i++];
        if (p < from) continue;
        re.lastIndex = p;
        const m = re.exec(text);
        if (m) return m;
      }
      return null;
    },
  };
}

/** Where the secrets are in `text` (sorted, overlapping finds merged). `exhaustive`: every rule at every position (tests). */
function findSecrets(text: string, exhaustive = false): Span[] {
  if (text.length < 8) return [];
  const c = rules();
  const spans: Span[] = [];
  const { list, starts } = candidates(text);
  for (const rule of list) {
    const { re, exec } = matcher(rule, text, starts, exhaustive);
    re.lastIndex = 0;
    let m: RegExpExecArray | null;
    while ((m = exec())) {
      if (m[0].length === 0) {
        re.lastIndex++;
        continue;
      }
      let g = rule.group ?? 0;
      if (!rule.group) for (let i = 1; i < m.length; i++) if (m[i]) { g = i; break; }
      const secret = m[g];
      const at = m.indices![g];
      if (!secret || !at) continue;
      if (rule.entropy !== undefined && entropy(secret) < rule.entropy) continue;
      if (rule.accept && !rule.accept(secret, m)) continue;
      if (allowed(rule, secret, m[0], c.globalAllow)) continue;
      spans.push({ start: at[0], end: at[1] });
      // a long match may hold another secret after its group: go on from the group's end
      if (re.lastIndex > at[1] && at[1] > m.index) re.lastIndex = at[1];
    }
  }
  if (spans.length < 2) return spans;
  spans.sort((a, b) => a.start - b.start || b.end - a.end);
  const merged: Span[] = [spans[0]];
  for (const s of spans.slice(1)) {
    const last = merged[merged.length - 1];
    if (s.start < last.end) last.end = Math.max(last.end, s.end);
    else merged.push({ ...s });
  }
  return merged;
}

/**
 * Text with JSON escapes read as the characters they stand for, and where each character came from
 * (`map[i]` is the offset in the text of view character i; `map[view.length]` is the text's length).
 */
function unescapedView(text: string): { view: string; map: Int32Array } | null {
  if (text.indexOf('\\') === -1) return null;
  const map = new Int32Array(text.length + 1);
  let view = '';
  let n = 0;
  let run = 0; // start of the current run of plain characters
  const SIMPLE: Record<string, string> = { '"': '"', '\\': '\\', '/': '/', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' };
  for (let i = 0; i < text.length; ) {
    if (text.charCodeAt(i) !== 92) {
      map[n++] = i++;
      continue;
    }
    const e = text[i + 1];
    let ch: string | undefined;
    let len = 2;
    if (e !== undefined && SIMPLE[e] !== undefined) ch = SIMPLE[e];
    else if (e === 'u' && /^[0-9a-fA-F]{4}$/.test(text.slice(i + 2, i + 6))) {
      ch = String.fromCharCode(parseInt(text.slice(i + 2, i + 6), 16));
      len = 6;
    }
    if (ch === undefined) {
      map[n++] = i++;
      continue;
    }
    view += text.slice(run, i) + ch;
    map[n++] = i;
    i += len;
    run = i;
  }
  view += text.slice(run);
  map[n] = text.length;
  return { view, map: map.subarray(0, n + 1) };
}

/** A secret found in a text: where it is in the text, and what it reads as (JSON escapes undone). */
export interface FoundSecret {
  start: number;
  end: number;
  secret: string;
}

/**
 * Every secret in `text`, JSON-escaped ones included (their spans cover the escapes). `exhaustive`
 * tries every rule at every position, without the keyword-start shortcut (for tests that check it).
 */
export function secretSpans(text: string, exhaustive = false): FoundSecret[] {
  if (text.length < 8) return [];
  const esc = unescapedView(text);
  const view = esc ? esc.view : text;
  return findSecrets(view, exhaustive).map((s) => ({
    start: esc ? esc.map[s.start] : s.start,
    end: esc ? esc.map[s.end] : s.end,
    secret: view.slice(s.start, s.end),
  }));
}

/**
 * One look at the text of a streamed event's other fields: whether redaction would change it, and
 * whether its whole-number values and string values may change without that answer changing, as
 * long as each new string has no keyword itself (see `noKeyword`). That holds when the text (as the
 * rules read it, JSON escapes undone) has none of the rules' keywords, since every rule needs one, and
 * a changed value cannot make one with what borders it: every keyword has a character other than a
 * digit or `-`, none has a digit or `-` beside the JSON punctuation that borders a number (`:`, `,`
 * or `[` before it; `,`, `]` or `}` after), and none has the `"` that borders a string's text.
 * Checked of the keyword table when first asked.
 */
export function scanRest(text: string): { secret: boolean; leavesMayChange: boolean } {
  const c = rules();
  const esc = unescapedView(text);
  if (c.always.length === 0 && !c.scanner.any(esc ? esc.view : text)) return { secret: false, leavesMayChange: valuesCannotFormKeywords(c.scanner.keywords) };
  return { secret: redactText(text) !== text, leavesMayChange: false };
}

/** Whether a string value (its text, as JSON.parse reads it) holds none of the rules' keywords. */
export function noKeyword(value: string): boolean {
  const c = rules();
  return c.always.length === 0 && !c.scanner.any(value);
}

let valuesSafe: boolean | undefined;
function valuesCannotFormKeywords(keywords: readonly string[]): boolean {
  return (valuesSafe ??= keywords.every((k) => /[^0-9-]/.test(k) && !/[:,[][0-9-]|[0-9-][,\]}]/.test(k) && !k.includes('"')));
}

/** Replaces every secret with its fingerprint. Text without secrets comes back as the same string. */
export function redactText(text: string): string {
  const spans = secretSpans(text);
  if (spans.length === 0) return text;
  let out = '';
  let at = 0;
  for (const s of spans) {
    out += text.slice(at, s.start) + fingerprint(s.secret);
    at = s.end;
  }
  return out + text.slice(at);
}

/** A JSON value with every secret in its strings replaced; unchanged values are returned as they were. */
export function redactJson(value: unknown): unknown {
  if (typeof value === 'string') return redactText(value);
  if (typeof value !== 'object' || value === null) return value;
  if (Array.isArray(value)) {
    let out: unknown[] | undefined;
    for (let i = 0; i < value.length; i++) {
      const v = redactJson(value[i]);
      if (v !== value[i]) (out ??= value.slice())[i] = v;
    }
    return out ?? value;
  }
  let out: Record<string, unknown> | undefined;
  for (const [k, v0] of Object.entries(value as Record<string, unknown>)) {
    let v = v0;
    if (typeof v0 === 'string' && v0.length >= 8 && isSecretName(k) && k !== 'signature' && entropy(v0) >= 3 && notPlaceholder(v0) && !FINGERPRINT.test(v0) && !v0.includes(' ')) v = fingerprint(v0);
    else v = redactJson(v0);
    if (v !== v0) (out ??= { ...(value as Record<string, unknown>) })[k] = v;
  }
  return out ?? value;
}

/** A JSON text redacted and read back; undefined when the redaction left it no longer JSON. */
function redactedParse(text: string): { changed: boolean; value?: unknown } | undefined {
  const red = redactText(text);
  if (red === text) return { changed: false };
  try {
    const value = JSON.parse(red) as unknown;
    return JSON.stringify(value) === red ? { changed: true, value } : undefined;
  } catch {
    return undefined;
  }
}

const BROKE = Symbol('redaction broke the JSON');
const isObject = (v: unknown): v is object => typeof v === 'object' && v !== null;

/**
 * A JSON body (an object) redacted part by part, as `redactText` would redact its text: every object
 * in a top-level array (a conversation's messages, its tools, its system blocks) as its own text, the
 * other top-level members together as one (so a name still gives its value its context). A secret
 * cannot straddle two messages this way, and nothing else differs; what it buys is that a part seen
 * before is not scanned again: `cache` remembers each part object's result, so a conversation resent
 * with one more message costs the new message, not the whole history. Unchanged parts stay the same
 * objects. Undefined when a redaction would break the JSON (the caller then redacts the whole text),
 * or when the value is not an object.
 */
export function redactJsonParts(value: unknown, cache: WeakMap<object, unknown>): unknown {
  if (!isObject(value) || Array.isArray(value)) return undefined;
  const src = value as Record<string, unknown>;
  let out: Record<string, unknown> | undefined;
  const rest: Record<string, unknown> = {};
  const restKeys: string[] = [];
  for (const [k, v] of Object.entries(src)) {
    if (!Array.isArray(v) || v.length === 0 || !v.every(isObject)) {
      rest[k] = v;
      restKeys.push(k);
      continue;
    }
    let arr: unknown[] | undefined;
    for (let i = 0; i < v.length; i++) {
      const part = v[i] as object;
      let r = cache.get(part);
      if (r === undefined) {
        const found = redactedParse(JSON.stringify(part));
        r = found === undefined ? BROKE : found.changed ? found.value : part;
        cache.set(part, r);
      }
      if (r === BROKE) return undefined;
      if (r !== part) (arr ??= v.slice())[i] = r;
    }
    if (arr) (out ??= { ...src })[k] = arr;
  }
  if (restKeys.length) {
    const found = redactedParse(JSON.stringify(rest));
    if (found === undefined) return undefined;
    if (found.changed) {
      const red = found.value as Record<string, unknown>;
      if (!isObject(red) || Object.keys(red).join('\u0000') !== restKeys.join('\u0000')) return undefined;
      out ??= { ...src };
      for (const k of restKeys) out[k] = red[k];
    }
  }
  return out ?? value;
}

/** A command line: the value after (or in) a secret-named flag, and secrets anywhere. */
export function redactArgv(argv: string[]): string[] {
  const out = argv.slice();
  for (let i = 0; i < out.length; i++) {
    const a = argv[i];
    const eq = a.indexOf('=');
    if (a.startsWith('-') && eq > 0 && isSecretFlag(a.slice(0, eq)) && eq < a.length - 1) out[i] = `${a.slice(0, eq + 1)}${fingerprint(a.slice(eq + 1))}`;
    else if (a.startsWith('-') && eq === -1 && isSecretFlag(a) && i + 1 < argv.length && !argv[i + 1].startsWith('-')) {
      out[i] = redactText(a);
      out[i + 1] = fingerprint(argv[i + 1]);
      i++;
      continue;
    } else out[i] = redactText(a);
  }
  return out;
}

export function redactHeaderValue(name: string, value: string): string {
  if (!isSecretHeader(name)) return redactText(value);
  if (FINGERPRINT.test(value) || /^\d+$/.test(value)) return value;
  // Keep the scheme ("Bearer") so the trace still says what kind of credential was used.
  const m = /^(Bearer|Basic|Token|Digest|AWS4-HMAC-SHA256)\s+([\s\S]*)$/i.exec(value);
  return m ? `${m[1]} ${fingerprint(m[2])}` : fingerprint(value);
}

export function redactHeaders(headers: Headers): Headers {
  const out: Headers = {};
  for (const [name, value] of Object.entries(headers)) {
    out[name] = Array.isArray(value) ? value.map((v) => redactHeaderValue(name, v)) : redactHeaderValue(name, value);
  }
  return out;
}

/**
 * A URL or path + query: userinfo (`http://user:pass@gateway`), secret-named and signing parameters,
 * and key-shaped values anywhere.
 */
export function redactUrl(url: string): string {
  const q = url.indexOf('?');
  if (q === -1) return redactText(url);
  const path = url.slice(0, q);
  const query = url
    .slice(q + 1)
    .split('&')
    .map((pair) => {
      const eq = pair.indexOf('=');
      if (eq === -1) return redactText(pair);
      const name = pair.slice(0, eq);
      const value = pair.slice(eq + 1);
      if ((SECRET_QUERY_PARAMS.has(safeDecode(name).toLowerCase()) || isSecretName(safeDecode(name))) && value) return `${name}=${encodeURIComponent(fingerprint(safeDecode(value)))}`;
      const decoded = safeDecode(value);
      const red = redactText(decoded);
      return red === decoded ? `${name}=${value}` : `${name}=${encodeURIComponent(red).replace(/%5B|%5D|%3A/g, decodeURIComponent)}`;
    })
    .join('&');
  return `${redactText(path)}?${query}`;
}

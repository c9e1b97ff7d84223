#!/usr/bin/env node
// Ports gitleaks' default rule set (config/gitleaks.toml, MIT) to format/secret-rules.ts, the table that
// format/redact.ts runs. Run it again when gitleaks' rules change:
//   node scripts/port-gitleaks-rules.mjs path/to/gitleaks.toml [version-label]
// Go's RE2 syntax becomes JavaScript: scoped flags ((?i) mid-pattern, (?-i:…), (?i:…), (?s:…)) are
// spelled out (letters as [aA], classes with both cases), POSIX classes expanded, \z → $; a leading
// lazy `[\w.-]{0,50}?` (context only, never part of the secret) is dropped, since a backtracking
// engine pays for it at every position of a large body. Path-only and line-target allowlists are
// skipped (a trace record has no path or line in gitleaks' sense).
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const [src, label = 'unknown version'] = process.argv.slice(2);
if (!src) {
  console.error('usage: node scripts/port-gitleaks-rules.mjs gitleaks.toml [version-label]');
  process.exit(2);
}
const toml = readFileSync(src, 'utf8');

/** The few TOML forms gitleaks.toml uses: key = '''raw''' | "str" | number | [list of those]. */
function parseTable(text) {
  const out = {};
  const re = /^(\w+)\s*=\s*/gm;
  let m;
  while ((m = re.exec(text))) {
    let i = m.index + m[0].length;
    const [value, end] = parseValue(text, i);
    out[m[1]] = value;
    re.lastIndex = end;
  }
  return out;
}
function parseValue(text, i) {
  if (text.startsWith("'''", i)) {
    const end = text.indexOf("'''", i + 3);
    return [text.slice(i + 3, end), end + 3];
  }
  if (text[i] === "'") {
    const end = text.indexOf("'", i + 1);
    return [text.slice(i + 1, end), end + 1];
  }
  if (text[i] === '"') {
    let j = i + 1;
    while (text[j] !== '"') j += text[j] === '\\' ? 2 : 1;
    return [JSON.parse(text.slice(i, j + 1)), j + 1];
  }
  if (text[i] === '[') {
    const list = [];
    let j = i + 1;
    for (;;) {
      while (/[\s,]/.test(text[j])) j++;
      if (text[j] === '#') {
        j = text.indexOf('\n', j);
        continue;
      }
      if (text[j] === ']') return [list, j + 1];
      const [v, end] = parseValue(text, j);
      list.push(v);
      j = end;
    }
  }
  const m = /^[^\s]+/.exec(text.slice(i));
  return [Number(m[0]), i + m[0].length];
}

/** Go RE2 → JavaScript source (no flags needed: case-insensitivity is spelled out). */
export function goToJs(go) {
  let out = '';
  const stack = [{ ci: false, dot: false }];
  const top = () => stack[stack.length - 1];
  for (let i = 0; i < go.length; ) {
    const c = go[i];
    if (c === '(') {
      const flags = /^\(\?([a-zA-Z]*)(?:-([a-zA-Z]*))?([:)])/.exec(go.slice(i));
      if (flags && go[i + 1] === '?' && (flags[1] || flags[2] !== undefined)) {
        const on = flags[1], off = flags[2] ?? '';
        const f = flags[3] === ')' ? top() : { ...top() };
        if (on.includes('i')) f.ci = true;
        if (off.includes('i')) f.ci = false;
        if (on.includes('s')) f.dot = true;
        if (off.includes('s')) f.dot = false;
        if (flags[3] === ':') {
          stack.push(f);
          out += '(?:';
        }
        i += flags[0].length;
        continue;
      }
      if (go.startsWith('(?P<', i)) {
        out += '(?<';
        i += 4;
      } else if (go.startsWith('(?:', i)) {
        out += '(?:';
        i += 3;
      } else {
        out += '(';
        i += 1;
      }
      stack.push({ ...top() });
      continue;
    }
    if (c === ')') {
      stack.pop();
      out += ')';
      i++;
      continue;
    }
    if (c === '\\') {
      const e = go[i + 1];
      if (e === 'z') out += '(?![\\s\\S])';
      else if (e === 'A') out += '^';
      else if (e === 'x' && go[i + 2] === '{') {
        const end = go.indexOf('}', i);
        out += `\\u{${go.slice(i + 3, end)}}`;
        i = end + 1;
        continue;
      } else if (top().ci && /[a-zA-Z]/.test(e) && !/[bBdDsSwWnrtfvx]/.test(e)) out += caseClass(e);
      else out += c + e;
      i += 2;
      continue;
    }
    if (c === '[') {
      const [cls, end] = charClass(go, i, top().ci);
      out += cls;
      i = end;
      continue;
    }
    if (c === '.') {
      out += top().dot ? '[\\s\\S]' : '[^\\n]';
      i++;
      continue;
    }
    if (c === '{') {
      // quantifier: copy as is
      const end = go.indexOf('}', i);
      out += go.slice(i, end + 1);
      i = end + 1;
      continue;
    }
    out += top().ci && /[a-zA-Z]/.test(c) ? caseClass(c) : /[/]/.test(c) ? '\\/' : c;
    i++;
  }
  return out;
}

function caseClass(ch) {
  const lo = ch.toLowerCase(), up = ch.toUpperCase();
  return lo === up ? ch : `[${lo}${up}]`;
}

const POSIX = { alnum: 'A-Za-z0-9', alpha: 'A-Za-z', digit: '0-9', upper: 'A-Z', lower: 'a-z', xdigit: '0-9A-Fa-f', space: '\\s', word: '\\w', punct: '!-\\/:-@\\[-`{-~' };

function charClass(go, i, ci) {
  let j = i + 1;
  let open = '[';
  if (go[j] === '^') {
    open += '^';
    j++;
  }
  let out = '';
  const extra = [];
  let first = true;
  while (j < go.length && (go[j] !== ']' || first)) {
    first = false;
    if (go.startsWith('[:', j)) {
      const end = go.indexOf(':]', j);
      out += POSIX[go.slice(j + 2, end)];
      j = end + 2;
      continue;
    }
    if (go[j] === '\\') {
      out += go.slice(j, j + 2);
      j += 2;
      continue;
    }
    if (go[j] === '[') {
      out += '\\[';
      j++;
      continue;
    }
    if (go[j + 1] === '-' && go[j + 2] && go[j + 2] !== ']') {
      const a = go[j], b = go[j + 2];
      out += `${a}-${b}`;
      if (ci) {
        if (/[a-z]/.test(a) && /[a-z]/.test(b)) extra.push(`${a.toUpperCase()}-${b.toUpperCase()}`);
        if (/[A-Z]/.test(a) && /[A-Z]/.test(b)) extra.push(`${a.toLowerCase()}-${b.toLowerCase()}`);
      }
      j += 3;
      continue;
    }
    const ch = go[j];
    out += ch === '/' ? '\\/' : ch;
    if (ci && /[a-zA-Z]/.test(ch)) extra.push(ch === ch.toLowerCase() ? ch.toUpperCase() : ch.toLowerCase());
    j++;
  }
  // the other case goes first: a trailing '-' must stay last to stay literal
  return [open + extra.join('') + out + ']', j + 1];
}

const LEADING_CONTEXT = '(?i)[\\w.-]{0,50}?';
/** Source, with `(?i)` as a prefix when the whole pattern is case-insensitive (the engine then uses the i flag). */
function portRegex(go) {
  const trimmed = go.startsWith(LEADING_CONTEXT) ? '(?i)' + go.slice(LEADING_CONTEXT.length) : go;
  const whole = trimmed.startsWith('(?i)') && !/\(\?-?[is]/.test(trimmed.slice(4));
  const js = whole ? '(?i)' + goToJs(trimmed.slice(4)) : goToJs(trimmed);
  new RegExp(whole ? js.slice(4) : js, 'dg'); // must compile
  return js;
}

const sections = toml.split(/^\[\[rules\]\]\s*$/m);
const globalPart = sections.shift();
const globalAllow = parseTable(globalPart.slice(globalPart.indexOf('[allowlist]')));
const rules = [];
for (const section of sections) {
  const [head, ...allowParts] = section.split(/^\[\[rules\.allowlists\]\]\s*$/m);
  const r = parseTable(head);
  if (!r.regex) continue; // path-only rules (pkcs12-file)
  const rule = { id: r.id, src: portRegex(r.regex), keywords: (r.keywords ?? []).map((k) => k.toLowerCase()) };
  if (r.secretGroup) rule.group = r.secretGroup;
  if (r.entropy) rule.entropy = r.entropy;
  for (const part of allowParts) {
    const a = parseTable(part);
    if (a.paths || a.regexTarget === 'line') continue;
    const key = a.regexTarget === 'match' ? 'allowMatch' : 'allow';
    if (a.regexes) (rule[key] ??= []).push(...a.regexes.map(portRegex));
    if (a.stopwords) (rule.stop ??= []).push(...a.stopwords.map((s) => s.toLowerCase()));
  }
  rules.push(rule);
}

const header = `// Generated by scripts/port-gitleaks-rules.mjs from gitleaks' default rules (${label}); do not edit by hand.
// gitleaks: Copyright (c) 2019 Zachary Rice, MIT License. Each rule: JavaScript regex source (case-
// insensitivity spelled out, or a leading (?i) for the i flag), the capture group holding the secret (default: the first that
// matched), lower-case keywords (a rule runs only when one occurs), minimum Shannon entropy, and
// allowlists (regexes on the secret or the whole match; stopwords the secret must not contain).
import type { SecretRuleSpec } from './secret-rule-spec.js';

export const GITLEAKS_VERSION = ${JSON.stringify(label)};

export const GLOBAL_ALLOW: readonly string[] = ${JSON.stringify((globalAllow.regexes ?? []).map(portRegex), null, 1)};

export const GLOBAL_STOPWORDS: readonly string[] = ${JSON.stringify(globalAllow.stopwords ?? [])};

export const GITLEAKS_RULES: readonly SecretRuleSpec[] = [
${rules.map((r) => '  ' + JSON.stringify(r)).join(',\n')},
];
`;
const target = fileURLToPath(new URL('../format/secret-rules.ts', import.meta.url));
writeFileSync(target, header);
console.log(`${rules.length} rules → ${target}`);

// Unified diffs as coloured lines (one element per line, text only).
import type { FileChange } from '../../analysis/model.js';
import { el } from './dom.js';
import { bytes } from './fmt.js';

const MAX_LINES = 4000;

export function diffView(f: FileChange): HTMLElement {
  if (f.diff === null) {
    const what = f.op === 'delete' ? 'deleted' : f.op === 'rename' ? `renamed from ${f.from ?? '?'}` : f.hash ? `binary or large file${f.size !== null ? ` (${bytes(f.size)})` : ''}, sha256 ${f.hash.slice(0, 16)}…` : 'no diff recorded';
    return el('p', { class: 'muted' }, what);
  }
  const pre = el('pre', { class: 'diff' });
  const lines = f.diff.split('\n');
  for (const line of lines.slice(0, MAX_LINES)) {
    const cls = line.startsWith('+++') || line.startsWith('---') ? 'd-file' : line.startsWith('@@') ? 'd-hunk' : line.startsWith('+') ? 'd-add' : line.startsWith('-') ? 'd-del' : 'd-ctx';
    pre.append(el('span', { class: cls }, line + '\n'));
  }
  if (lines.length > MAX_LINES) pre.append(el('span', { class: 'd-hunk' }, `… ${lines.length - MAX_LINES} more lines\n`));
  return pre;
}

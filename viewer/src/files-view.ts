// File changes: the list (time, operation, path, the tool that made it) and the selected change's diff.
import type { ViewerState } from './state.js';
import { append, clear, el } from './dom.js';
import { at } from './fmt.js';
import { diffView } from './diff-view.js';

export class FilesView {
  onShow: (() => void) | null = null;

  constructor(
    private readonly host: HTMLElement,
    private readonly st: ViewerState,
  ) {
    st.on('file', () => {
      this.render();
      if (st.selectedFile !== null) this.onShow?.();
    });
    this.render();
  }

  render(): void {
    const st = this.st;
    clear(this.host);
    const files = st.model.files;
    if (files.length === 0) {
      append(this.host, el('p', { class: 'muted' }, 'No file changes were recorded (record with --watch DIR to capture them).'));
      return;
    }
    const list = el('ul', { class: 'file-list' });
    files.forEach((f, i) => {
      const b = el('button', { class: i === st.selectedFile ? 'linklike selected' : 'linklike' }, `${at(f.tMs)}  ${f.op}  ${f.path}`);
      b.addEventListener('click', () => st.selectFile(i));
      append(list, el('li', {}, b, f.toolNames.length ? el('span', { class: 'muted' }, `  during ${f.toolNames.join(', ')}`) : null));
    });
    const sel = st.selectedFile !== null ? files[st.selectedFile] : undefined;
    append(this.host, list, sel ? el('div', { class: 'file-diff', attrs: { 'data-testid': 'file-diff' } }, el('h4', {}, `${sel.op} ${sel.path} at ${at(sel.tMs)}`), diffView(sel)) : el('p', { class: 'muted' }, 'Pick a change (or an orange tick on the timeline) to see its diff.'));
  }
}

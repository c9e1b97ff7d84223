// Tiny DOM helpers. Everything from a trace goes in through textContent: nothing is ever parsed as HTML.

type Child = Node | string | null | undefined | false;

export function el<K extends keyof HTMLElementTagNameMap>(tag: K, props: { class?: string; title?: string; attrs?: Record<string, string> } = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  if (props.class) e.className = props.class;
  if (props.title) e.title = props.title;
  if (props.attrs) for (const [k, v] of Object.entries(props.attrs)) e.setAttribute(k, v);
  append(e, ...children);
  return e;
}

export function append(parent: Node, ...children: Child[]): void {
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    parent.appendChild(typeof c === 'string' ? document.createTextNode(c) : c);
  }
}

export function clear(e: Element): void {
  while (e.firstChild) e.removeChild(e.firstChild);
}

export function byId<T extends HTMLElement = HTMLElement>(id: string): T {
  const e = document.getElementById(id);
  if (!e) throw new Error(`viewer: missing #${id}`);
  return e as T;
}

/** A definition list from label/value pairs; null values are shown as "—". */
export function facts(pairs: Array<[string, string | number | null]>): HTMLElement {
  const dl = el('dl', { class: 'facts' });
  for (const [k, v] of pairs) append(dl, el('dt', {}, k), el('dd', {}, v === null ? '—' : String(v)));
  return dl;
}

/** Waits for the next frame's paint opportunity (or a macrotask when hidden). */
export function nextTick(): Promise<void> {
  return new Promise((resolve) => {
    const ch = new MessageChannel();
    ch.port1.onmessage = () => resolve();
    ch.port2.postMessage(null);
  });
}

// Node side: progress on stderr for exports that take a while. On a terminal one line is rewritten
// in place, and only once the work has taken long enough to notice; elsewhere (CI logs) a line per
// quarter, and only for big traces, so small exports stay silent.
export interface Progress {
  phase(label: string): void;
  update(done: number, total: number): void;
  done(): void;
}

const SHOW_AFTER_MS = 300;
const REFRESH_MS = 100;

export function makeProgress(opts: { tty: boolean; big: boolean; write?: (s: string) => void }): Progress {
  const write = opts.write ?? ((s: string) => void process.stderr.write(s));
  const started = Date.now();
  let label = '';
  let last = 0;
  let shown = false;
  let lastQuarter = -1;
  const show = (text: string): void => {
    if (opts.tty) {
      write(`\r\x1b[K${text}`);
      shown = true;
    } else write(`${text}\n`);
  };
  return {
    phase(l: string) {
      label = l;
      lastQuarter = -1;
      if (opts.tty && Date.now() - started >= SHOW_AFTER_MS) show(`lapse export: ${label}…`);
      else if (!opts.tty && opts.big) show(`lapse export: ${label}…`);
    },
    update(done: number, total: number) {
      if (total <= 0) return;
      const now = Date.now();
      if (opts.tty) {
        if (now - started < SHOW_AFTER_MS || now - last < REFRESH_MS) return;
        last = now;
        show(`lapse export: ${label} ${done}/${total} (${Math.floor((done / total) * 100)}%)`);
      } else if (opts.big) {
        const q = Math.floor((done / total) * 4);
        if (q > lastQuarter && q < 4) {
          lastQuarter = q;
          show(`lapse export: ${label} ${done}/${total}`);
        }
      }
    },
    done() {
      if (opts.tty && shown) write('\r\x1b[K');
    },
  };
}

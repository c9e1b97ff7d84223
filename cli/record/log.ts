// lapse's own messages: stderr only (stdout belongs to the harness), silenced by --quiet.

export interface Log {
  info(msg: string): void;
  /** Printed once per key, so a fault that repeats on every chunk does not flood the terminal. */
  warnOnce(key: string, msg: string): void;
}

export function stderrLog(quiet: boolean): Log {
  const warned = new Set<string>();
  const write = (msg: string) => {
    if (quiet) return;
    try {
      process.stderr.write(`lapse: ${msg}\n`);
    } catch {
      // a closed stderr must not take the proxy down
    }
  };
  return {
    info: write,
    warnOnce(key, msg) {
      if (warned.has(key)) return;
      warned.add(key);
      write(msg);
    },
  };
}

/** For tests and embedding: collects messages instead of printing them. */
export function memoryLog(): Log & { lines: string[] } {
  const lines: string[] = [];
  const warned = new Set<string>();
  return {
    lines,
    info: (m) => lines.push(m),
    warnOnce(key, m) {
      if (warned.has(key)) return;
      warned.add(key);
      lines.push(m);
    },
  };
}

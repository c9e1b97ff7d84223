// tmux as a real terminal for tests: its own server socket and no user config; a shell in a
// session of a given size, keys typed with send-keys, the screen read with capture-pane.
import { execFile, execFileSync, spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';

export const hasTmux = spawnSync('tmux', ['-V']).status === 0;
const ROOT = new URL('../', import.meta.url).pathname;
export const PROMPT = 'lapse-test$ ';

export class Tmux {
  readonly socket = `lapse-test-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
  private readonly session = 'tui';

  private tmux(args: string[]): string {
    return execFileSync('tmux', ['-L', this.socket, '-f', '/dev/null', ...args], { encoding: 'utf8' });
  }

  start(cols: number, rows: number, env: Record<string, string> = {}): void {
    const vars = { LANG: 'C.UTF-8', LC_ALL: 'C.UTF-8', PS1: PROMPT, NO_COLOR: '', ...env };
    const exports = Object.entries(vars)
      .map(([k, v]) => (v === '' ? `unset ${k}` : `export ${k}='${v}'`))
      .join('; ');
    this.tmux(['new-session', '-d', '-x', String(cols), '-y', String(rows), '-s', this.session, 'bash --norc --noprofile']);
    this.tmux(['set-option', '-t', this.session, 'status', 'off']);
    this.type(`${exports}; cd '${ROOT}'; clear`);
  }

  /** Types a line into the shell. */
  type(line: string): void {
    this.tmux(['send-keys', '-t', this.session, '-l', line]);
    this.tmux(['send-keys', '-t', this.session, 'Enter']);
  }

  keys(...keys: string[]): void {
    this.tmux(['send-keys', '-t', this.session, ...keys]);
  }

  screen(escapes = false): string {
    return this.tmux(['capture-pane', '-p', ...(escapes ? ['-e'] : []), '-t', this.session]);
  }

  /** The screen without blocking this process (a test that also runs a server in it polls with this). */
  screenAsync(): Promise<string> {
    return new Promise((resolve, reject) =>
      execFile('tmux', ['-L', this.socket, '-f', '/dev/null', 'capture-pane', '-p', '-t', this.session], { encoding: 'utf8' }, (err, out) => (err ? reject(err) : resolve(out))),
    );
  }

  lines(): string[] {
    return this.screen().split('\n');
  }

  display(format: string): string {
    return this.tmux(['display-message', '-p', '-t', this.session, format]).trim();
  }

  resize(cols: number, rows: number): void {
    this.tmux(['resize-window', '-t', this.session, '-x', String(cols), '-y', String(rows)]);
  }

  /** Polls the screen until `test` holds (a busy machine may take a few seconds to start node). */
  async waitFor(test: (screen: string) => boolean, what: string, timeoutMs = 20_000, pollMs = 100): Promise<string> {
    const end = Date.now() + timeoutMs;
    let s = '';
    while (Date.now() < end) {
      s = this.screen();
      if (test(s)) return s;
      await new Promise((r) => setTimeout(r, pollMs));
    }
    throw new Error(`timed out waiting for ${what}; the screen was:\n${s}`);
  }

  kill(): void {
    const path = spawnSync('tmux', ['-L', this.socket, 'display-message', '-p', '#{socket_path}'], { encoding: 'utf8' }).stdout.trim();
    spawnSync('tmux', ['-L', this.socket, 'kill-server']);
    // tmux leaves the socket file behind when its server is killed.
    if (path) rmSync(path, { force: true });
  }
}


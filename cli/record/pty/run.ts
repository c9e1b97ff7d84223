// Runs the harness in a pseudo-terminal of its own and relays it to lapse's terminal byte for byte,
// so the trace can see what it drew and when keys were pressed. lapse's terminal goes to raw mode:
// every key (Ctrl-C, Ctrl-Z, bracketed pastes) reaches the harness's pty, whose line discipline turns
// them into the same signals and input the harness would have got from the real terminal. Its
// window size follows lapse's, resize by resize.
//
// If lapse dies (kill -9), the kernel closes the pty's master side: the harness gets SIGHUP, as when a
// terminal window closes, instead of running on against a dead proxy.
import { execFileSync } from 'node:child_process';
import { accessSync, constants as fsConstants, readFileSync, statSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { constants } from 'node:os';
import { spawn as ptySpawn, type IPty } from '@lydell/node-pty';
import type { RecordSink } from '../sink.js';
import { SpawnError, type ChildExit, type RunningChild } from '../child.js';
import { KeyReader } from './keys.js';

export interface PtyOptions {
  /** Keep the typed characters in the trace (`--record-input`); default: key classes only. */
  recordInput: boolean;
  stdin?: NodeJS.ReadStream;
  stdout?: NodeJS.WriteStream;
  onSignal?: (sig: NodeJS.Signals) => void;
}

/** lapse's stdin and stdout are both terminals: a person is at the keyboard. */
export function isInteractive(stdin: NodeJS.ReadStream = process.stdin, stdout: NodeJS.WriteStream = process.stdout): boolean {
  return Boolean(stdin.isTTY && stdout.isTTY);
}

const FORWARDED: NodeJS.Signals[] = ['SIGTERM', 'SIGHUP'];
const CTRL_Z = 0x1a;

export function runInPty(cmd: string, args: string[], env: NodeJS.ProcessEnv, sink: RecordSink & { guard(fn: () => void): void }, opts: PtyOptions): Promise<RunningChild> {
  const stdin = opts.stdin ?? process.stdin;
  const stdout = opts.stdout ?? process.stdout;
  const size = () => ({ cols: stdout.columns || 80, rows: stdout.rows || 24 });
  const missing = notRunnable(cmd, env);
  if (missing) return Promise.reject(new SpawnError(`cannot run ${cmd}: ${missing.message}`, missing.code));
  let pty: IPty;
  try {
    pty = ptySpawn(cmd, args, {
      name: env.TERM || 'xterm-256color',
      ...size(),
      cwd: process.cwd(),
      env: stringEnv(env),
      encoding: null, // Buffers both ways: the bytes pass unchanged, split UTF-8 and all
    });
  } catch (err) {
    return Promise.reject(new SpawnError(`cannot run ${cmd}: ${(err as Error).message}`, 126));
  }
  const record = (fn: () => void) => sink.guard(fn);
  const { cols, rows } = size();
  record(() => sink.write({ kind: 'term-resize', t: sink.now(), cols, rows }));

  const write = pty.write.bind(pty) as unknown as (data: Buffer | string) => void;
  const keys = new KeyReader(opts.recordInput);
  let suspended = false;

  const onOutput = (data: Buffer | string): void => {
    const t = sink.now();
    const bytes = typeof data === 'string' ? Buffer.from(data) : data;
    if (!stdout.write(bytes)) {
      pty.pause();
      stdout.once('drain', () => pty.resume());
    }
    record(() => sink.write({ kind: 'term-output', t, data: { enc: 'bytes', bytes } }));
  };
  const onInput = (chunk: Buffer): void => {
    const t = sink.now();
    write(chunk);
    record(() => {
      for (const run of keys.read(chunk)) sink.write({ kind: 'term-input', t, ...run });
    });
    if (chunk.includes(CTRL_Z)) watchForStop();
  };
  const onResize = (): void => {
    const s = size();
    try {
      pty.resize(s.cols, s.rows);
    } catch {
      return; // the harness is gone
    }
    record(() => sink.write({ kind: 'term-resize', t: sink.now(), cols: s.cols, rows: s.rows }));
  };

  // Ctrl-Z. The harness leads its pty's session, so its process group is orphaned and the kernel
  // discards SIGTSTP for it: neither the line discipline's (cooked mode) nor the one a raw-mode app
  // sends itself after restoring the terminal (readline, vim, Ink) stops it. So when the pty is back
  // in signal mode with ^Z as its suspend key shortly after a ^Z, lapse does what the shell's job
  // control would have: it stops the harness's group, gives the terminal back and stops itself;
  // on `fg` both continue. A raw-mode app that uses ^Z as an ordinary key keeps its key.
  const watchForStop = (): void => {
    let tries = 0;
    const check = (): void => {
      if (suspended) return;
      if (processStopped(pty.pid)) return suspendSelf();
      if (tries === 2 && wantsSuspend(pty)) {
        try {
          process.kill(-pty.pid, 'SIGSTOP');
        } catch {
          return;
        }
      }
      if (++tries < 12) setTimeout(check, 30).unref();
    };
    setTimeout(check, 20).unref();
  };
  const suspendSelf = (): void => {
    suspended = true;
    opts.onSignal?.('SIGTSTP');
    setRaw(false);
    process.kill(process.pid, 'SIGTSTP'); // as a Ctrl-Z'd job: the shell reports it Stopped (148)
  };
  const onContinue = (): void => {
    if (!suspended) return;
    suspended = false;
    setRaw(true);
    try {
      process.kill(-pty.pid, 'SIGCONT');
    } catch {
      // gone
    }
    onResize();
  };
  const setRaw = (on: boolean): void => {
    try {
      stdin.setRawMode?.(on);
    } catch {
      // stdin is no longer a terminal
    }
  };

  const handlers = new Map<NodeJS.Signals, () => void>();
  for (const sig of FORWARDED) {
    const h = () => {
      opts.onSignal?.(sig);
      pty.kill(sig);
    };
    handlers.set(sig, h);
    process.on(sig, h);
  }
  handlers.set('SIGCONT', onContinue);
  process.on('SIGCONT', onContinue);

  setRaw(true);
  stdin.on('data', onInput);
  stdin.resume();
  stdout.on('resize', onResize);
  pty.onData(onOutput);

  const done = new Promise<ChildExit>((resolve) => {
    pty.onExit(({ exitCode, signal }) => {
      stdin.off('data', onInput);
      stdin.pause();
      setRaw(false);
      stdout.off('resize', onResize);
      for (const [sig, h] of handlers) process.off(sig, h);
      const name = signal ? signalName(signal) : null;
      const result: ChildExit = { code: signal ? null : exitCode, signal: name, exitCode: signal ? 128 + signal : exitCode };
      // the harness's last bytes go out before lapse prints its summary
      if (stdout.writableNeedDrain) stdout.once('drain', () => resolve(result));
      else resolve(result);
    });
  });
  return Promise.resolve({ pid: pty.pid, done });
}

function stringEnv(env: NodeJS.ProcessEnv): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(env)) if (v !== undefined) out[k] = v;
  return out;
}

function signalName(n: number): NodeJS.Signals | null {
  for (const [name, num] of Object.entries(constants.signals)) if (num === n) return name as NodeJS.Signals;
  return null;
}

/** Is the process stopped (job control)? /proc on Linux, `ps` elsewhere. */
function processStopped(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] === 'T';
  } catch {
    try {
      return execFileSync('ps', ['-o', 'stat=', '-p', String(pid)], { encoding: 'latin1' }).trim().startsWith('T');
    } catch {
      return false;
    }
  }
}

/**
 * The pty's child reports a failed exec only as an exit status, so the shell's 127 ("command not
 * found") and 126 ("not executable") are decided before spawning.
 */
function notRunnable(cmd: string, env: NodeJS.ProcessEnv): { message: string; code: number } | null {
  const candidates = cmd.includes('/') ? [cmd] : (env.PATH ?? '').split(delimiter).filter(Boolean).map((d) => join(d, cmd));
  let found = false;
  for (const c of candidates) {
    try {
      if (!statSync(c).isFile()) continue;
      found = true;
      accessSync(c, fsConstants.X_OK);
      return null;
    } catch {
      // next
    }
  }
  return found ? { message: 'permission denied', code: 126 } : { message: 'command not found', code: 127 };
}

/** The pty is in signal mode (ISIG) with ^Z as its suspend character: a ^Z was meant to stop the job. */
function wantsSuspend(pty: IPty): boolean {
  const name = (pty as unknown as { ptsName?: string }).ptsName;
  if (!name) return false;
  try {
    const modes = execFileSync('stty', [process.platform === 'darwin' ? '-f' : '-F', name, '-a'], { encoding: 'latin1', timeout: 1000 });
    return /(^|\s)isig(\s|$)/m.test(modes) && /susp = \^Z/.test(modes);
  } catch {
    return false;
  }
}

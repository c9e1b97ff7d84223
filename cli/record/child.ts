// Runs the harness as lapse's child on the same terminal. The child stays in lapse's process group,
// so the terminal's own signals (Ctrl-C's SIGINT, Ctrl-\'s SIGQUIT, SIGWINCH on resize) reach it
// directly; lapse only has to survive them itself and wait. SIGTERM and SIGHUP, which are sent to
// lapse alone, are passed on. lapse never touches stdin: reading it would change the terminal's mode.
import { spawn } from 'node:child_process';
import { constants } from 'node:os';

export interface ChildExit {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** What lapse exits with: the child's code, or 128 + the signal's number. */
  exitCode: number;
}

export interface RunningChild {
  pid: number;
  done: Promise<ChildExit>;
}

const FROM_TERMINAL: NodeJS.Signals[] = ['SIGINT', 'SIGQUIT'];
const FORWARDED: NodeJS.Signals[] = ['SIGTERM', 'SIGHUP'];

export class SpawnError extends Error {
  constructor(
    message: string,
    readonly exitCode: number,
  ) {
    super(message);
  }
}

/** Spawns the child; rejects (SpawnError, 127/126 like a shell) if it cannot be started. */
export function runChild(cmd: string, args: string[], env: NodeJS.ProcessEnv, onSignal?: (sig: NodeJS.Signals) => void): Promise<RunningChild> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: 'inherit', env });
    const handlers = new Map<NodeJS.Signals, () => void>();
    const release = () => {
      for (const [sig, h] of handlers) process.off(sig, h);
      handlers.clear();
    };
    for (const sig of FROM_TERMINAL) {
      const h = () => onSignal?.(sig); // the child got it from the terminal too; lapse waits for it
      handlers.set(sig, h);
      process.on(sig, h);
    }
    for (const sig of FORWARDED) {
      const h = () => {
        onSignal?.(sig);
        try {
          child.kill(sig);
        } catch {
          // already gone
        }
      };
      handlers.set(sig, h);
      process.on(sig, h);
    }
    child.once('error', (err: NodeJS.ErrnoException) => {
      release();
      const code = err.code === 'ENOENT' ? 127 : 126;
      reject(new SpawnError(`cannot run ${cmd}: ${err.code === 'ENOENT' ? 'command not found' : err.message}`, code));
    });
    child.once('spawn', () => {
      const done = new Promise<ChildExit>((res) => {
        child.once('exit', (code, signal) => {
          release();
          const signum = signal ? (constants.signals as Record<string, number>)[signal] ?? 0 : 0;
          res({ code, signal, exitCode: signal ? 128 + signum : (code ?? 1) });
        });
      });
      resolve({ pid: child.pid!, done });
    });
  });
}

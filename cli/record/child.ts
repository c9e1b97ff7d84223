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

/**
 * A guard for the harness: a tiny process holding a pipe from lapse. If lapse dies without a word
 * (kill -9, an OOM kill), the pipe closes and the guard ends the harness (SIGTERM, SIGKILL 2 s later),
 * which would otherwise go on against a proxy that is gone, every request refused. On a normal end
 * lapse says "done" first and the guard just leaves. It ignores the terminal's signals (those are
 * the harness's and lapse's business) and leaves by itself once the harness is gone.
 */
const GUARD = `
for (const s of ['SIGINT', 'SIGQUIT', 'SIGHUP', 'SIGTERM', 'SIGTSTP']) process.on(s, () => {});
let pid = 0;
let done = false;
let buf = '';
process.stdin.on('data', (d) => {
  buf += d;
  const m = /pid (\\d+)\\n/.exec(buf);
  if (m) pid = Number(m[1]);
  if (buf.includes('done')) { done = true; process.exit(0); }
});
process.stdin.on('error', () => {});
process.stdin.on('close', () => {
  if (done || !pid) process.exit(0);
  try { process.kill(pid, 'SIGTERM'); } catch { process.exit(0); }
  setTimeout(() => { try { process.kill(pid, 'SIGKILL'); } catch {} process.exit(0); }, 2000);
});
setInterval(() => { if (pid) try { process.kill(pid, 0); } catch { process.exit(0); } }, 1000);
`;

interface Guard {
  /** The harness to end if lapse dies. */
  watch(pid: number): void;
  /** lapse is ending normally: the guard leaves. */
  release(): void;
}

/**
 * Started before the harness (spawning blocks the event loop a moment, and with the harness running
 * that moment could reorder its exit and a signal lapse must see); told the harness's pid after.
 */
function startGuard(): Guard {
  try {
    const guard = spawn(process.execPath, ['-e', GUARD, `lapse-guard-${process.pid}`], { stdio: ['pipe', 'ignore', 'ignore'] });
    guard.on('error', () => undefined);
    guard.stdin?.on('error', () => undefined);
    guard.unref();
    (guard.stdin as unknown as { unref?: () => void } | null)?.unref?.();
    const say = (line: string) => {
      try {
        guard.stdin?.write(line);
      } catch {
        // gone already
      }
    };
    return {
      watch: (pid) => say(`pid ${pid}\n`),
      release: () => {
        say('done\n');
        guard.stdin?.end();
      },
    };
  } catch {
    return { watch: () => undefined, release: () => undefined }; // no guard: the session itself is unaffected
  }
}

const FORWARDED: NodeJS.Signals[] = ['SIGTERM', 'SIGHUP'];

export class SpawnError extends Error {
  constructor(
    message: string,
    readonly exitCode: number,
  ) {
    super(message);
  }
}

/**
 * How long after the child's exit a terminal signal that ended it may still reach lapse's handler:
 * libuv may read it after the SIGCHLD, as the signal can land on a thread that a loaded machine
 * preempts inside its handler while the SIGCHLD lands on another (beside CPU hogs: tens of ms, and the
 * "lapse received SIGINT" marker went missing). A caller that records signals waits this long.
 */
export const SIGNAL_GRACE_MS = 100;

/** Spawns the child; rejects (SpawnError, 127/126 like a shell) if it cannot be started. */
export function runChild(cmd: string, args: string[], env: NodeJS.ProcessEnv, onSignal?: (sig: NodeJS.Signals) => void): Promise<RunningChild> {
  return new Promise((resolve, reject) => {
    const guard = startGuard();
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
      guard.release();
      release();
      const code = err.code === 'ENOENT' ? 127 : 126;
      reject(new SpawnError(`cannot run ${cmd}: ${err.code === 'ENOENT' ? 'command not found' : err.message}`, code));
    });
    child.once('spawn', () => {
      guard.watch(child.pid!);
      const done = new Promise<ChildExit>((res) => {
        child.once('exit', (code, signal) => {
          guard.release();
          // The handlers outlast the grace the caller gives late signals (see SIGNAL_GRACE_MS).
          setTimeout(release, 2 * SIGNAL_GRACE_MS).unref();
          const signum = signal ? (constants.signals as Record<string, number>)[signal] ?? 0 : 0;
          res({ code, signal, exitCode: signal ? 128 + signum : (code ?? 1) });
        });
      });
      resolve({ pid: child.pid!, done });
    });
  });
}

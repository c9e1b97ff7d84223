// `lapse demo` on a terminal: the recording runs in a pseudo-terminal of the demo's own, and the demo
// plays the person: it waits for the agent's prompt, "reads" for a while, then types the scripted
// prompt key by key and presses Enter, and at the end types /exit. So the recorder sees a real
// interactive session (its pty, what the agent drew, keys with their times) and the viewers can show
// the terminal and the measured reading and typing. The user's own keys still reach the session
// (Ctrl-C twice quits it, as in the agent).
import { spawn as ptySpawn } from '@lydell/node-pty';
import { PROMPT } from './interactive.js';

export interface TypistScript {
  prompts: string[];
  /** Pause before typing each prompt after the agent has drawn its answer (a person reading). */
  readMs: number;
  /** Mean gap between two typed keys. */
  keyMs: number;
}

/** The agent's prompt is on screen: the output ends with it (readline redraws it with cursor moves). */
function promptShown(tail: string): boolean {
  // eslint-disable-next-line no-control-regex
  const plain = tail.replace(/\x1b\[[0-9;?]*[A-Za-z]/g, '');
  return plain.endsWith(PROMPT);
}

export function runTyped(command: string, args: string[], script: TypistScript): Promise<number> {
  const stdin = process.stdin;
  const stdout = process.stdout;
  const pty = ptySpawn(command, args, {
    name: process.env.TERM || 'xterm-256color',
    cols: stdout.columns || 80,
    rows: stdout.rows || 24,
    cwd: process.cwd(),
    env: Object.fromEntries(Object.entries(process.env).filter((e): e is [string, string] => e[1] !== undefined)),
    encoding: null,
  });
  const write = pty.write.bind(pty) as unknown as (d: Buffer | string) => void;
  let tail = '';
  let quietTimer: NodeJS.Timeout | null = null;
  let typing = false;
  let next = 0;
  let seed = 7;
  const jitter = () => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return 0.5 + seed / 0x7fffffff; // 0.5 … 1.5
  };
  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

  const type = async (text: string): Promise<void> => {
    typing = true;
    await sleep(script.readMs);
    for (const ch of text) {
      write(ch);
      await sleep(script.keyMs * jitter());
    }
    write('\r');
    tail = '';
    typing = false;
  };
  const onQuiet = (): void => {
    if (typing || !promptShown(tail)) return;
    const line = next < script.prompts.length ? script.prompts[next] : next === script.prompts.length ? '/exit' : null;
    next++;
    if (line !== null) void type(line);
  };
  pty.onData((d: Buffer | string) => {
    const buf = typeof d === 'string' ? Buffer.from(d) : d;
    stdout.write(buf);
    tail = (tail + buf.toString('utf8')).slice(-400);
    if (quietTimer) clearTimeout(quietTimer);
    quietTimer = setTimeout(onQuiet, 150);
  });
  const onInput = (b: Buffer) => write(b);
  const onResize = () => pty.resize(stdout.columns || 80, stdout.rows || 24);
  stdin.setRawMode?.(true);
  stdin.on('data', onInput);
  stdin.resume();
  stdout.on('resize', onResize);
  return new Promise((resolve) => {
    pty.onExit(({ exitCode, signal }) => {
      if (quietTimer) clearTimeout(quietTimer);
      stdin.off('data', onInput);
      stdin.setRawMode?.(false);
      stdin.pause();
      stdout.off('resize', onResize);
      resolve(signal ? 128 + signal : exitCode);
    });
  });
}

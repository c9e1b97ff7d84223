// The agent's interactive mode (`--interactive`): prompts are read from its terminal as a person
// types them, like a real harness's input box. On a terminal it reads keys itself (readline), shows
// its window size when it changes (so tests can see a resize arrive), and quits on /exit, Ctrl-D,
// or Ctrl-C pressed twice (the first one only warns, as Claude Code does).
import { createInterface } from 'node:readline';

export const PROMPT = '> ';
export const READY = 'type a prompt and press Enter (/exit or Ctrl-C twice to quit)';

export interface PromptReader {
  next(): Promise<string | null>;
  close(): void;
}

export function terminalPrompts(write: (s: string) => void, onQuit: (code: number) => void): PromptReader {
  const input = process.stdin;
  const rl = createInterface({ input, output: process.stdout, terminal: Boolean(input.isTTY && process.stdout.isTTY), prompt: PROMPT });
  let waiting: ((line: string | null) => void) | null = null;
  const queued: (string | null)[] = [];
  const deliver = (line: string | null): void => {
    if (waiting) {
      const w = waiting;
      waiting = null;
      w(line);
    } else queued.push(line);
  };
  rl.on('line', (line) => deliver(line.trim() === '/exit' ? null : line));
  rl.on('close', () => deliver(null));
  let lastInterrupt = 0;
  rl.on('SIGINT', () => {
    const now = Date.now();
    if (now - lastInterrupt < 2000) {
      write('\n');
      rl.close();
      onQuit(130);
      return;
    }
    lastInterrupt = now;
    write('\n(press Ctrl-C again to quit)\n');
    rl.prompt();
  });
  // readline pauses its input around a Ctrl-Z; after `fg` it must read again (else Node sees nothing left to do and exits)
  rl.on('SIGCONT', () => rl.prompt());
  const onResize = () => write(`\n(terminal resized to ${process.stdout.columns}×${process.stdout.rows})\n`);
  if (process.stdout.isTTY) process.stdout.on('resize', onResize);
  write(`lapse agent, interactive: ${READY}\n`);
  const take = (): Promise<string | null> => {
    if (queued.length) return Promise.resolve(queued.shift()!);
    rl.prompt();
    return new Promise((resolve) => (waiting = resolve));
  };
  return {
    async next() {
      for (;;) {
        const line = await take();
        if (line === null || line.trim()) return line; // an empty line asks again
      }
    },
    close() {
      process.stdout.off('resize', onResize);
      rl.close();
    },
  };
}

// Opens a URL in the user's browser, best effort: failures only produce a hint.
import { spawn } from 'node:child_process';

export function openBrowser(url: string, onFail: (why: string) => void): void {
  const [cmd, args] =
    process.platform === 'darwin' ? ['open', [url]] : process.platform === 'win32' ? ['cmd', ['/c', 'start', '""', url]] : ['xdg-open', [url]];
  try {
    const child = spawn(cmd, args, { stdio: 'ignore', detached: true });
    child.on('error', (err: NodeJS.ErrnoException) => onFail(err.code === 'ENOENT' ? `${cmd} not found` : err.message));
    child.on('exit', (code) => {
      if (code) onFail(`${cmd} exited with ${code}`);
    });
    child.unref();
  } catch (err) {
    onFail((err as Error).message);
  }
}

// One place that turns an expected failure into "one line on stderr, exit 2" (design.md).

/** An error the user can fix (bad flag, unreadable trace): printed as one line, exit code 2. */
export class UsageError extends Error {
  readonly exitCode: number;
  constructor(message: string, exitCode = 2) {
    super(message);
    this.name = 'UsageError';
    this.exitCode = exitCode;
  }
}

/** Prints `lapse: <message>` and exits with the error's code (2 for anything unexpected but caught). */
export function exitWithError(err: unknown): never {
  const e = err as { message?: string; exitCode?: number; name?: string };
  const message = (e && typeof e.message === 'string' ? e.message : String(err)).split('\n')[0];
  process.stderr.write(`lapse: ${message}\n`);
  if (process.env.LAPSE_DEBUG && err instanceof Error && err.stack) process.stderr.write(err.stack + '\n');
  process.exit(typeof e?.exitCode === 'number' ? e.exitCode : 2);
}

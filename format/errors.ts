/** The bytes are not a trace this reader can read. `message` is one line, fit for a CLI error. */
export class TraceFormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TraceFormatError';
  }
}

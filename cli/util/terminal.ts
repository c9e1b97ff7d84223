// What lapse prints never lets a trace talk to the terminal. A model name, a file name or a response
// body can hold escape sequences (OSC 52 writes the clipboard, OSC 0 the window title, others move
// the cursor or rewrite the screen); printed raw by `stats` or `dump` they would act. Every string
// written to stdout or stderr by a command goes through `terminalSafe`: control characters become
// visible `\u001b`-style escapes (which also keeps JSON output valid and equal), and only lapse's own
// colour (SGR `ESC[…m`) and line-erase (`CR ESC[K`) sequences pass.

// C0 controls but tab, newline and CR; DEL; C1 controls (U+0080–U+009F, 8-bit CSI/OSC on some terminals).
const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/;
const SAFE_ESCAPE = /^\u001b\[(?:[0-9;]*m|K)/;

export function terminalSafe(text: string): string {
  if (!CONTROL.test(text)) return text;
  let out = '';
  let from = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    const control = (c < 0x20 && c !== 9 && c !== 10 && c !== 13) || (c >= 0x7f && c <= 0x9f);
    if (!control) continue;
    if (c === 0x1b) {
      const own = SAFE_ESCAPE.exec(text.slice(i, i + 24));
      if (own) {
        i += own[0].length - 1;
        continue;
      }
    }
    out += text.slice(from, i) + `\\u${c.toString(16).padStart(4, '0')}`;
    from = i + 1;
  }
  return out + text.slice(from);
}

/** Routes every string a stream is given through `terminalSafe` (bytes pass: they are exports' JSON chunks). */
export function guardStream(stream: NodeJS.WriteStream): void {
  const write = stream.write.bind(stream) as (chunk: unknown, ...rest: unknown[]) => boolean;
  stream.write = ((chunk: unknown, ...rest: unknown[]) => write(typeof chunk === 'string' ? terminalSafe(chunk) : chunk, ...rest)) as typeof stream.write;
}

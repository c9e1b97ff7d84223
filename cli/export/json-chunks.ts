// JSON text in pieces, so a large export is written as it is produced instead of as one giant
// string (V8 strings stop at ~512 MiB; HAR of a long session with 75 KB prompts gets there).
// Arrays and objects are opened down to `depth` levels; below that each value is one JSON.stringify.
// Pure: no node: imports.

export function* jsonChunks(value: unknown, depth = 3): Generator<string> {
  if (depth <= 0 || value === null || typeof value !== 'object') {
    const s = JSON.stringify(value);
    yield s === undefined ? 'null' : s;
    return;
  }
  if (Array.isArray(value)) {
    yield '[';
    for (let i = 0; i < value.length; i++) {
      if (i > 0) yield ',';
      yield* jsonChunks(value[i], depth - 1);
    }
    yield ']';
    return;
  }
  yield '{';
  let first = true;
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    if (v === undefined || typeof v === 'function') continue;
    yield `${first ? '' : ','}${JSON.stringify(k)}:`;
    first = false;
    yield* jsonChunks(v, depth - 1);
  }
  yield '}';
}

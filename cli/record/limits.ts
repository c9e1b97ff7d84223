// Sizes past which lapse stops buffering a body or message (the recorder's WebSocket frame reader
// and the replay endpoint share them, so a replay accepts what a recording could hold).
export const MAX_BODY_BYTES = 256 * 1024 * 1024;

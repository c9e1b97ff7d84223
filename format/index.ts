// The trace format: types, encoder, reader, body and SSE helpers, redaction. Platform-neutral.
import './brotli.js';
export * from './types.js';
export { TraceEncoder, type EncoderOptions } from './encoder.js';
export { readTrace, TraceStreamReader, type ReaderOptions } from './reader.js';
export { TraceFormatError } from './errors.js';
export { EventRun } from './runs.js';
export { bodyBytes, bodyText, bodyJson, bodyLength, classifyBytes, classifyText } from './body.js';
export { SseSplitter, formatSse, parseSseText, sseData, sseEventName, structureSse } from './sse.js';
export { fingerprint, redactHeaders, redactText, redactUrl, SECRET_HEADERS } from './redact.js';
export { compactTrace, countInSummary, emptySummary } from './compact.js';

// The analysis API: records → SessionModel → SimulationResult, and the JSON contracts.
export type * from './model.js';
export { STALL_FACTOR, STALL_MIN_MS } from './model.js';
export { SessionBuilder, analyseTrace, analyseRecords, type AnalyseOptions, type TraceMeta } from './session.js';
export { simulate, resolveProfile, simToOrig, origToSim, PROFILES, PROFILE_NAMES, type ProfileOverrides } from './simulate.js';
export { statsJson, simulateJson, type StatsJson, type SimulateJson } from './json.js';
export { EventLog, type NormalizedEvent, type ProtocolDecoder, type RequestInfo, type ResponseSink, type Usage } from './events.js';
export { DECODERS, decoderForUrl, decoderFor, ResponsesSocketDecoder } from './decoders/index.js';
export { estimateTokens } from './exchange.js';
export { percentile } from './gaps.js';

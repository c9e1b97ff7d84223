// The analysis API: records → SessionModel → SimulationResult, and the JSON contracts.
export type * from './model.js';
export { STALL_FACTOR, STALL_MIN_MS } from './model.js';
export { SessionBuilder, analyse, analyseTrace, analyseRecords, analyseRecordList, sessionModel, type Analysis, type AnalyseOptions, type TraceMeta } from './session.js';
export { Pipeline, runPipeline, sortByDeps, type Handler, type HandlerContext, type HandlerMap, type HandlerName, type PipelineResult } from './pipeline.js';
export * from './handlers/index.js';
export { simulate, resolveProfile, simToOrig, origToSim, PROFILES, PROFILE_NAMES, type ProfileOverrides } from './simulate.js';
export { statsJson, simulateJson, type StatsJson, type SimulateJson } from './json.js';
export { EventLog, type NormalizedEvent, type ProtocolDecoder, type RequestInfo, type RequestInput, type ResponseSink, type SocketFraming, type ToolResultText, type Usage } from './events.js';
export { PROTOCOLS, decoderForUrl, decoderFor, socketProtocolForUrl, conversationOf, pathOf } from './protocols/index.js';
export { estimateTokens, ContentDeltas } from './deltas.js';
export { percentile } from './gaps.js';

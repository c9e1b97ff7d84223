// The handlers of the standard pass, and the handler types. See analysis/README.md for the graph.
import type { Handler } from '../pipeline.js';
import { MetaHandler } from './meta.js';
import { ExchangesHandler } from './exchanges.js';
import { ResponsesHandler } from './responses.js';
import { ThreadsHandler } from './threads.js';
import { GraphHandler } from './graph.js';
import { RequestsHandler } from './requests.js';
import { FilesHandler } from './files.js';
import { TerminalHandler } from './terminal.js';
import { TransportHandler } from './transport.js';

export { MetaHandler, type MetaData } from './meta.js';
export { ExchangesHandler, isModelCall, type Exchange, type ExchangesData, type HttpExchange, type Placement, type Socket, type SocketTurn } from './exchanges.js';
export { ResponsesHandler, type ResponsesData } from './responses.js';
export { ThreadsHandler, type ThreadsData } from './threads.js';
export { GraphHandler, type GraphData } from './graph.js';
export { RequestsHandler, type RequestsData } from './requests.js';
export { FilesHandler, type FilesData } from './files.js';
export { TerminalHandler, type TerminalData } from './terminal.js';
export { TransportHandler, type TransportData } from './transport.js';

export interface HandlerOptions {
  /** Keep records, content deltas and record indexes (the viewers); false keeps only the figures. */
  detail?: boolean;
  /** Each response's inter-token gaps and stalls (default true). */
  gaps?: boolean;
}

/** A fresh set of the standard handlers (any order: the pipeline sorts them by deps). */
export function standardHandlers(opts: HandlerOptions = {}): Handler[] {
  const detail = opts.detail ?? true;
  return [new MetaHandler(), new ExchangesHandler(detail), new ResponsesHandler(detail, opts.gaps ?? true), new ThreadsHandler(), new GraphHandler(), new RequestsHandler(), new FilesHandler(), new TerminalHandler(detail), new TransportHandler()];
}

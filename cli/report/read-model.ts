// A trace file straight into the session model, streamed: records are analysed as they are read and
// not kept, so stats/simulate on a big trace hold only the figures. (loadTrace keeps every record,
// which the viewers need and these commands do not.)
import { SessionBuilder, type AnalyseOptions } from '../../analysis/session.js';
import type { SessionModel } from '../../analysis/model.js';
import { streamTrace } from '../trace/load.js';

export function readModel(path: string, opts: AnalyseOptions = { detail: false }): SessionModel {
  const builder = new SessionBuilder(opts);
  const meta = streamTrace(
    path,
    (r, index) => builder.add(r, index),
    {},
    (run, index) => builder.addRun(run, index),
  );
  return builder.finish(meta);
}

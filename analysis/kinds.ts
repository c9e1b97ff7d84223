// The five places time goes (critical-path segment kinds): their order and names, shared by every view.
import type { SegmentKind } from './model.js';

export { BREAKDOWN_KEY } from './critical-path.js';

/** Display order: the model's part first, then what a faster model leaves. */
export const SEGMENT_KINDS: readonly SegmentKind[] = ['modelWait', 'modelStream', 'tool', 'user', 'harness'];

export const SEGMENT_LABEL: Readonly<Record<SegmentKind, string>> = {
  modelWait: 'model wait (TTFT)',
  modelStream: 'model stream',
  tool: 'tools',
  user: 'user',
  harness: 'harness',
};

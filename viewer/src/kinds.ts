// The five places time goes (critical-path segment kinds): their names and colours, shared by every view.
import type { Breakdown, SegmentKind } from '../../analysis/model.js';

export const KINDS: readonly SegmentKind[] = ['modelWait', 'modelStream', 'tool', 'user', 'harness'];

export const KIND_LABEL: Record<SegmentKind, string> = {
  modelWait: 'model wait (TTFT)',
  modelStream: 'model stream',
  tool: 'tools',
  user: 'user',
  harness: 'harness',
};

export const KIND_SHORT: Record<SegmentKind, string> = {
  modelWait: 'wait',
  modelStream: 'stream',
  tool: 'tool',
  user: 'user',
  harness: 'harness',
};

// Distinct in hue and lightness so they also separate for the common colour-vision deficiencies.
export const KIND_COLOR: Record<SegmentKind, string> = {
  modelWait: '#e69f00',
  modelStream: '#0072b2',
  tool: '#009e73',
  user: '#cc79a7',
  harness: '#8c8c8c',
};

export const BREAKDOWN_FIELD: Record<SegmentKind, keyof Breakdown> = {
  modelWait: 'modelWaitMs',
  modelStream: 'modelStreamMs',
  tool: 'toolMs',
  user: 'userMs',
  harness: 'harnessMs',
};

export const SIDE_COLOR = '#7a5cc7';
export const FILE_COLOR = '#d55e00';
export const ERROR_COLOR = '#c0392b';

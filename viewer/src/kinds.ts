// The five places time goes (critical-path segment kinds): their names and colours, shared by every view.
import type { Breakdown, SegmentKind } from '../../analysis/model.js';

import { BREAKDOWN_KEY, SEGMENT_KINDS, SEGMENT_LABEL } from '../../analysis/kinds.js';

export const KINDS = SEGMENT_KINDS;
export const KIND_LABEL = SEGMENT_LABEL;
export const BREAKDOWN_FIELD = BREAKDOWN_KEY;

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


export const SIDE_COLOR = '#7a5cc7';
export const FILE_COLOR = '#d55e00';
export const ERROR_COLOR = '#c0392b';

// The five places time goes: names and colours from the shared presentation module, plus the viewer's own marks.
export { BREAKDOWN_KEY as BREAKDOWN_FIELD, KIND_HEX as KIND_COLOR, KIND_SHORT, SEGMENT_KINDS as KINDS, SEGMENT_LABEL as KIND_LABEL } from '../../analysis/present.js';

export const SIDE_COLOR = '#7a5cc7';
export const FILE_COLOR = '#d55e00';
export const ERROR_COLOR = '#c0392b';

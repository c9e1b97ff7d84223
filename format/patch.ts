// Applying a JSON Patch without deep-copying the base: only the containers on the paths the ops
// touch are copied, everything else is shared with the base. Rebuilding a chain of request bodies
// (each a small patch of a ~100 KB predecessor) then costs the size of the patches, not of the bodies.
// Values returned are shared: treat rebuilt bodies as immutable.
import jsonpatch from 'fast-json-patch';
import type { JsonPatchOp } from './types.js';

type Container = Record<string, unknown> | unknown[];

export function applyPatchShared(base: unknown, ops: readonly JsonPatchOp[]): unknown {
  const copied = new Set<unknown>();
  const holder: { root: unknown } = { root: base };
  const own = (v: unknown): unknown => {
    if (typeof v !== 'object' || v === null || copied.has(v)) return v;
    const c = Array.isArray(v) ? v.slice() : { ...(v as Record<string, unknown>) };
    copied.add(c);
    return c;
  };
  /** Copies every container from the root down to the parent of `pointer` (and the target, for safety). */
  const ownPath = (pointer: string) => {
    holder.root = own(holder.root);
    if (pointer === '') return;
    const keys = pointer.slice(1).split('/').map((k) => k.replace(/~1/g, '/').replace(/~0/g, '~'));
    let node = holder.root as Container;
    for (let i = 0; i < keys.length; i++) {
      if (typeof node !== 'object' || node === null) return;
      const k = keys[i];
      const child = Array.isArray(node) ? node[Number(k)] : (node as Record<string, unknown>)[k];
      if (typeof child !== 'object' || child === null) return;
      const mine = own(child);
      if (Array.isArray(node)) node[Number(k)] = mine;
      else (node as Record<string, unknown>)[k] = mine;
      node = mine as Container;
    }
  };
  for (const op of ops) {
    ownPath(op.path);
    if (op.from !== undefined) ownPath(op.from);
    holder.root = jsonpatch.applyOperation(holder.root, op as jsonpatch.Operation, false, true, true).newDocument;
  }
  return holder.root;
}

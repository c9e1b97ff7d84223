// The Trace Event Format rules chrome://tracing and Perfetto rely on (phases, µs times in order,
// scoped instants, numeric counters, async begin/end balanced and nested per cat+id).
import type { ChromeTrace } from '../../cli/export/chrome.js';

/** The Trace Event Format rules the viewers depend on; returns problems (empty = valid). */
export function validateTraceEvents(t: unknown): string[] {
  const errs: string[] = [];
  const o = t as ChromeTrace;
  if (!o || !Array.isArray(o.traceEvents)) return ['traceEvents must be an array'];
  if (o.displayTimeUnit !== 'ms' && o.displayTimeUnit !== 'ns') errs.push('displayTimeUnit must be ms or ns');
  const open = new Map<string, string[]>();
  let lastTs = -Infinity;
  for (const [i, e] of o.traceEvents.entries()) {
    const at = `traceEvents[${i}] (${e.ph} ${e.name})`;
    if (typeof e.name !== 'string') errs.push(`${at}: name must be a string`);
    if (!['X', 'b', 'e', 'n', 'i', 'C', 'M'].includes(e.ph)) errs.push(`${at}: unexpected phase`);
    if (typeof e.ts !== 'number' || !(e.ts >= 0)) errs.push(`${at}: ts must be a number ≥ 0`);
    if (!Number.isInteger(e.pid) || !Number.isInteger(e.tid)) errs.push(`${at}: pid/tid must be integers`);
    if (e.ts < lastTs) errs.push(`${at}: events out of time order`);
    lastTs = e.ts;
    if (e.ph === 'X' && !(typeof e.dur === 'number' && e.dur >= 0)) errs.push(`${at}: complete events need dur ≥ 0`);
    if (e.ph === 'i' && !['g', 'p', 't'].includes(e.s ?? '')) errs.push(`${at}: instant events need a scope`);
    if (e.ph === 'C' && !(e.args && Object.values(e.args).every((v) => typeof v === 'number'))) errs.push(`${at}: counter args must be numbers`);
    if (e.ph === 'M' && !(e.args && typeof (e.args.name ?? e.args.sort_index) !== 'undefined')) errs.push(`${at}: metadata needs args`);
    if (e.ph === 'b' || e.ph === 'e' || e.ph === 'n') {
      if (typeof e.id !== 'string' || typeof e.cat !== 'string') {
        errs.push(`${at}: async events need cat and id`);
        continue;
      }
      const key = `${e.cat}\u0000${e.id}`;
      const stack = open.get(key) ?? [];
      if (e.ph === 'b') stack.push(e.name);
      else if (e.ph === 'e') {
        const top = stack.pop();
        if (top !== e.name) errs.push(`${at}: ends "${e.name}" but "${String(top)}" is open`);
      } else if (stack.length === 0) errs.push(`${at}: async instant outside its slice`);
      open.set(key, stack);
    }
  }
  for (const [key, stack] of open) if (stack.length > 0) errs.push(`async ${key.replace('\u0000', ' ')} left open: ${stack.join(', ')}`);
  return errs;
}


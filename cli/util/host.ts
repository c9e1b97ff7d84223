// The --host flag of the server commands (proxy, record, replay, view).
import { UsageError } from './errors.js';

/** A --host value: an empty one (which Node would bind to every interface) is refused. */
export function hostFlag(v: string): string {
  if (!v.trim()) throw new UsageError('--host needs an address (e.g. 127.0.0.1); an empty one would listen on every interface');
  return v.trim();
}

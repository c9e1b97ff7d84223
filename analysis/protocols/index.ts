// The protocol registry. Adding a protocol = one ProtocolDecoder module in this folder, one line in
// PROTOCOLS below, and its name in `Protocol` (model.ts). Nothing outside this folder reads wire formats.
import type { ProtocolDecoder } from '../events.js';
import type { Protocol } from '../model.js';
import { anthropicDecoder } from './anthropic.js';
import { geminiDecoder } from './gemini.js';
import { openaiChatDecoder } from './openai-chat.js';
import { openaiResponsesDecoder } from './openai-responses.js';

export { anthropicDecoder, geminiDecoder, openaiChatDecoder, openaiResponsesDecoder };

export const PROTOCOLS: readonly ProtocolDecoder[] = [anthropicDecoder, openaiChatDecoder, openaiResponsesDecoder, geminiDecoder];

/** The path of a URL or path+query, without query or fragment or trailing slash. */
export function pathOf(url: string): string {
  let p = url;
  const scheme = p.indexOf('://');
  if (scheme !== -1) {
    const slash = p.indexOf('/', scheme + 3);
    p = slash === -1 ? '/' : p.slice(slash);
  }
  const q = p.search(/[?#]/);
  if (q !== -1) p = p.slice(0, q);
  while (p.length > 1 && p.endsWith('/')) p = p.slice(0, -1);
  return p;
}

/** The protocol of a model request path, or null (e.g. /v1/models, /v1/messages/count_tokens). */
export function decoderForUrl(url: string): ProtocolDecoder | null {
  const path = pathOf(url);
  for (const d of PROTOCOLS) if (d.matchesPath(path)) return d;
  return null;
}

/** The protocol that carries responses over a WebSocket at this URL, or null. */
export function socketProtocolForUrl(url: string): ProtocolDecoder | null {
  const path = pathOf(url);
  for (const d of PROTOCOLS) if (d.socket && d.matchesPath(path)) return d;
  return null;
}

export function decoderFor(protocol: Protocol): ProtocolDecoder {
  const d = PROTOCOLS.find((x) => x.protocol === protocol);
  if (!d) throw new Error(`no decoder for ${protocol}`);
  return d;
}

/**
 * The conversation of a parsed request body whose protocol is not known (a replayed client's body):
 * the first protocol that finds one.
 */
export function conversationOf(body: unknown): unknown[] | string | null {
  for (const d of PROTOCOLS) {
    const c = d.conversation(body);
    if (c !== null) return c;
  }
  return null;
}

// The decoder registry. Adding a protocol = adding one ProtocolDecoder here (and to Protocol in model.ts).
import type { ProtocolDecoder } from '../events.js';
import type { Protocol } from '../model.js';
import { anthropicDecoder } from './anthropic.js';
import { geminiDecoder } from './gemini.js';
import { openaiChatDecoder } from './openai-chat.js';
import { openaiResponsesDecoder } from './openai-responses.js';

export { anthropicDecoder, geminiDecoder, openaiChatDecoder, openaiResponsesDecoder };
export { ResponsesSocketDecoder, type SocketHost } from './responses-websocket.js';

export const DECODERS: readonly ProtocolDecoder[] = [anthropicDecoder, openaiChatDecoder, openaiResponsesDecoder, geminiDecoder];

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

/** The decoder for a model request path, or null (e.g. /v1/models, /v1/messages/count_tokens). */
export function decoderForUrl(url: string): ProtocolDecoder | null {
  const path = pathOf(url);
  for (const d of DECODERS) if (d.matchesPath(path)) return d;
  return null;
}

export function decoderFor(protocol: Protocol): ProtocolDecoder {
  const d = DECODERS.find((x) => x.protocol === protocol);
  if (!d) throw new Error(`no decoder for ${protocol}`);
  return d;
}

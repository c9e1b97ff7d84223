// Stored bodies and payloads: turning bytes into the most compact lossless form, and back.
import type { Body } from './types.js';
import { utf8Decode, utf8DecodeStrict, utf8Encode } from './utf8.js';

/**
 * The lossless form of some bytes: JSON when `JSON.stringify(JSON.parse(text))` gives the same text,
 * else UTF-8 text, else bytes. (Patches against earlier bodies are chosen by the encoder.)
 */
export function classifyBytes(bytes: Uint8Array): Body {
  const text = utf8DecodeStrict(bytes);
  if (text === undefined) return { enc: 'bytes', bytes };
  return classifyText(text);
}

export function classifyText(text: string): Body {
  const c = text.charCodeAt(0);
  if (c === 123 /* { */ || c === 91 /* [ */) {
    try {
      const value = JSON.parse(text) as unknown;
      if (JSON.stringify(value) === text) return { enc: 'json', value };
    } catch {
      // not JSON: fall through to text
    }
  }
  return { enc: 'text', text };
}

/** The exact bytes a body stood for. A `patch` body must have been rebuilt (the reader does it). */
export function bodyBytes(body: Body): Uint8Array {
  switch (body.enc) {
    case 'bytes':
      return body.bytes;
    case 'dropped':
      return new Uint8Array(0);
    default:
      return utf8Encode(bodyText(body));
  }
}

export function bodyText(body: Body): string {
  switch (body.enc) {
    case 'json':
      return JSON.stringify(body.value);
    case 'text':
      return body.text;
    case 'bytes':
      return utf8Decode(body.bytes);
    case 'dropped':
      return '';
    case 'patch':
      throw new Error(`body is still a patch against ${body.base}; read it with readTrace, which rebuilds patches`);
  }
}

/** The parsed JSON value, or undefined when the body is not JSON. */
export function bodyJson(body: Body): unknown {
  if (body.enc === 'json') return body.value;
  if (body.enc === 'text' || body.enc === 'bytes') {
    const text = body.enc === 'text' ? body.text : utf8DecodeStrict(body.bytes);
    if (text === undefined) return undefined;
    try {
      return JSON.parse(text) as unknown;
    } catch {
      return undefined;
    }
  }
  return undefined;
}

/** Length in bytes of the original payload. */
export function bodyLength(body: Body): number {
  return body.enc === 'dropped' ? body.length : bodyBytes(body).length;
}

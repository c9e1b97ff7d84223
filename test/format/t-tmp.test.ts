import { it } from 'vitest';
import { createHash } from 'node:crypto';
import { redactText } from '../../format/redact.js';
import { StreamRedactor } from '../../format/stream-redact.js';
it('x', () => {
  const chunk = createHash('sha512');
  let big = '';
  for (let i = 0; big.length < 10 * 1024 * 1024; i++) big += chunk.update(String(i)).copy().digest('hex').repeat(64);
  const body = JSON.stringify({ model: 'x', messages: [{ role: 'user', content: big }] });
  let t0 = performance.now(); redactText(body); console.log('hex 10MB', performance.now() - t0);
  const text = 'lorem ipsum dolor sit amet '.repeat(400_000).slice(0, 10 * 1024 * 1024);
  const ev = `event: content_block_delta\ndata: ${JSON.stringify({ type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text } })}\n\n`;
  t0 = performance.now(); redactText(ev); console.log('lorem 10MB', performance.now() - t0);
  const r = new StreamRedactor();
  t0 = performance.now(); r.push({ kind: 'http-data', t: 1, id: 'a', sse: { form: 'raw', text: ev } }); r.flush(); console.log('stream lorem 10MB', performance.now() - t0);
});

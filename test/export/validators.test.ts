// The validators the export tests lean on must reject what they claim to: break one rule at a time.
import { describe, expect, it } from 'vitest';
import { toHar } from '../../cli/export/har.js';
import { toChromeTrace } from '../../cli/export/chrome.js';
import { toOtlp } from '../../cli/export/otlp.js';
import { analyseRecordList } from '../../analysis/session.js';
import { exportInput } from '../../cli/export/input.js';
// the format's index: it brings the Brotli decoder a compacted trace needs
import { readTrace } from '../../format/index.js';
import { encodeSession } from '../factory/mixed-session.js';
import { validateHar } from './validate-har.js';
import { validateTraceEvents } from './validate-chrome.js';
import { validateOtlp } from './validate-otlp.js';

const trace = readTrace(encodeSession());
const input = exportInput(analyseRecordList(trace.records));
// eslint-disable-next-line @typescript-eslint/no-explicit-any
const copy = <T>(v: T): any => JSON.parse(JSON.stringify(v));

describe('export validators', () => {
  it('HAR: rejects a wrong version, a relative URL, a non-ISO time and timings that do not add up', () => {
    const good = toHar(input);
    expect(validateHar(good)).toEqual([]);
    const cases: Array<[(h: ReturnType<typeof copy>) => void, RegExp]> = [
      [(h) => (h.log.version = '1.1'), /log\.version/],
      [(h) => (h.log.entries[1].request.url = '/v1/messages'), /must be absolute/],
      [(h) => (h.log.entries[0].startedDateTime = 'yesterday'), /ISO 8601/],
      [(h) => (h.log.entries[1].time += 5), /sum of its timings/],
      [(h) => (h.log.entries[1].request.headers = [{ name: 'a', value: 1 }]), /name, value/],
      [(h) => delete h.log.entries[0].response.content.mimeType, /mimeType/],
      [(h) => (h.log.entries[0].lapse = {}), /not a HAR field/],
    ];
    for (const [breakIt, problem] of cases) {
      const h = copy(good);
      breakIt(h);
      expect(validateHar(h).join('\n')).toMatch(problem);
    }
  });

  it('Chrome trace: rejects unbalanced or crossed async slices, events out of order, counters without numbers', () => {
    const good = toChromeTrace(input);
    expect(validateTraceEvents(good)).toEqual([]);
    const ev = good.traceEvents;
    const firstEnd = ev.findIndex((e) => e.ph === 'e');
    const cases: Array<[(t: ReturnType<typeof copy>) => void, RegExp]> = [
      [(t) => t.traceEvents.splice(firstEnd, 1), /left open/],
      [(t) => (t.traceEvents[firstEnd].name = 'stream'), /ends "stream" but/],
      [(t) => t.traceEvents.reverse(), /out of time order/],
      [(t) => (t.traceEvents.find((e: { ph: string }) => e.ph === 'C').args = { 'tokens/s': 'fast' }), /counter args/],
      [(t) => delete t.traceEvents.find((e: { ph: string }) => e.ph === 'X').dur, /need dur/],
    ];
    for (const [breakIt, problem] of cases) {
      const t = copy(good);
      breakIt(t);
      expect(validateTraceEvents(t).join('\n')).toMatch(problem);
    }
  });

  it('OTLP: rejects numeric int64s, short or upper-case ids, dangling parents and two roots', () => {
    const good = toOtlp(input);
    expect(validateOtlp(good)).toEqual([]);
    const spans = (d: ReturnType<typeof copy>) => d.resourceSpans[0].scopeSpans[0].spans;
    const cases: Array<[(d: ReturnType<typeof copy>) => void, RegExp]> = [
      [(d) => (spans(d)[1].startTimeUnixNano = Number(spans(d)[1].startTimeUnixNano)), /string int64/],
      [(d) => (spans(d)[0].attributes.find((a: { value: object }) => 'intValue' in a.value).value.intValue = 5), /decimal string/],
      [(d) => (spans(d)[1].spanId = spans(d)[1].spanId.slice(2)), /16 lower-case hex/],
      [(d) => (spans(d)[1].traceId = spans(d)[1].traceId.toUpperCase()), /32 lower-case hex/],
      [(d) => (spans(d)[2].parentSpanId = '0123456789abcdef'), /not in the export/],
      [(d) => delete spans(d)[3].parentSpanId, /one root span/],
      [(d) => (spans(d)[1].attributes[0].value = { stringValue: 'a', intValue: '1' }), /exactly one field/],
    ];
    for (const [breakIt, problem] of cases) {
      const d = copy(good);
      breakIt(d);
      expect(validateOtlp(d).join('\n')).toMatch(problem);
    }
  });
});

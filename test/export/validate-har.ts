// A compact structural validator for HAR 1.2 (the fields the spec marks required, their types, and
// the rules importers rely on: ISO times, timings summing to `time`, -1 for unknown sizes/phases).
// Returns the list of problems; empty means valid.

type J = Record<string, unknown>;
const isObj = (v: unknown): v is J => typeof v === 'object' && v !== null && !Array.isArray(v);
const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$/;

export function validateHar(har: unknown): string[] {
  const errs: string[] = [];
  const need = (cond: boolean, what: string): void => {
    if (!cond) errs.push(what);
  };
  const str = (o: J, k: string, at: string): void => need(typeof o[k] === 'string', `${at}.${k} must be a string`);
  const num = (o: J, k: string, at: string): void => need(typeof o[k] === 'number' && Number.isFinite(o[k]), `${at}.${k} must be a number`);
  const nameValues = (v: unknown, at: string): void => {
    need(Array.isArray(v), `${at} must be an array`);
    if (Array.isArray(v)) v.forEach((x, i) => need(isObj(x) && typeof x.name === 'string' && typeof x.value === 'string', `${at}[${i}] must be {name, value} strings`));
  };
  if (!isObj(har) || !isObj(har.log)) return ['top level must be {log: {...}}'];
  const log = har.log;
  need(log.version === '1.2', 'log.version must be "1.2"');
  need(isObj(log.creator) && typeof log.creator.name === 'string' && typeof log.creator.version === 'string', 'log.creator needs name and version');
  const pageIds = new Set<string>();
  if (log.pages !== undefined) {
    need(Array.isArray(log.pages), 'log.pages must be an array');
    for (const [i, p] of (Array.isArray(log.pages) ? log.pages : []).entries()) {
      const at = `log.pages[${i}]`;
      if (!isObj(p)) {
        errs.push(`${at} must be an object`);
        continue;
      }
      need(typeof p.startedDateTime === 'string' && ISO.test(p.startedDateTime), `${at}.startedDateTime must be ISO 8601`);
      str(p, 'id', at);
      str(p, 'title', at);
      need(isObj(p.pageTimings), `${at}.pageTimings must be an object`);
      if (typeof p.id === 'string') pageIds.add(p.id);
    }
  }
  need(Array.isArray(log.entries), 'log.entries must be an array');
  for (const [i, e] of (Array.isArray(log.entries) ? log.entries : []).entries()) {
    const at = `log.entries[${i}]`;
    if (!isObj(e)) {
      errs.push(`${at} must be an object`);
      continue;
    }
    if (e.pageref !== undefined) need(typeof e.pageref === 'string' && pageIds.has(e.pageref), `${at}.pageref must name a page`);
    need(typeof e.startedDateTime === 'string' && ISO.test(e.startedDateTime), `${at}.startedDateTime must be ISO 8601`);
    num(e, 'time', at);
    need(isObj(e.cache), `${at}.cache must be an object`);
    const rq = e.request;
    if (!isObj(rq)) errs.push(`${at}.request must be an object`);
    else {
      for (const k of ['method', 'url', 'httpVersion']) str(rq, k, `${at}.request`);
      need(typeof rq.url === 'string' && /^(https?|wss?):\/\/[^/]+/.test(rq.url), `${at}.request.url must be absolute`);
      nameValues(rq.cookies, `${at}.request.cookies`);
      nameValues(rq.headers, `${at}.request.headers`);
      nameValues(rq.queryString, `${at}.request.queryString`);
      num(rq, 'headersSize', `${at}.request`);
      num(rq, 'bodySize', `${at}.request`);
      if (rq.postData !== undefined) need(isObj(rq.postData) && typeof rq.postData.mimeType === 'string' && (typeof rq.postData.text === 'string' || Array.isArray(rq.postData.params)), `${at}.request.postData needs mimeType and text or params`);
    }
    const rs = e.response;
    if (!isObj(rs)) errs.push(`${at}.response must be an object`);
    else {
      num(rs, 'status', `${at}.response`);
      for (const k of ['statusText', 'httpVersion', 'redirectURL']) str(rs, k, `${at}.response`);
      nameValues(rs.cookies, `${at}.response.cookies`);
      nameValues(rs.headers, `${at}.response.headers`);
      num(rs, 'headersSize', `${at}.response`);
      num(rs, 'bodySize', `${at}.response`);
      const c = rs.content;
      if (!isObj(c)) errs.push(`${at}.response.content must be an object`);
      else {
        num(c, 'size', `${at}.response.content`);
        str(c, 'mimeType', `${at}.response.content`);
        if (c.text !== undefined) str(c, 'text', `${at}.response.content`);
        if (c.encoding !== undefined) need(c.encoding === 'base64', `${at}.response.content.encoding must be base64`);
      }
    }
    const t = e.timings;
    if (!isObj(t)) errs.push(`${at}.timings must be an object`);
    else {
      for (const k of ['send', 'wait', 'receive']) need(typeof t[k] === 'number' && (t[k] as number) >= 0, `${at}.timings.${k} must be a number ≥ 0`);
      for (const k of ['blocked', 'dns', 'connect', 'ssl']) if (t[k] !== undefined) need(typeof t[k] === 'number' && ((t[k] as number) >= 0 || t[k] === -1), `${at}.timings.${k} must be ≥ 0 or -1`);
      const sum = ['blocked', 'dns', 'connect', 'send', 'wait', 'receive'].reduce((n, k) => n + (typeof t[k] === 'number' && (t[k] as number) > 0 ? (t[k] as number) : 0), 0);
      need(typeof e.time === 'number' && Math.abs(sum - e.time) < 0.01, `${at}.time must be the sum of its timings (${String(e.time)} vs ${sum})`);
    }
    for (const key of Object.keys(e)) {
      const known = ['pageref', 'startedDateTime', 'time', 'request', 'response', 'cache', 'timings', 'serverIPAddress', 'connection', 'comment'];
      need(known.includes(key) || key.startsWith('_'), `${at}.${key} is not a HAR field (custom fields start with _)`);
    }
  }
  return errs;
}

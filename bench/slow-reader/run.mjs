#!/usr/bin/env node
// Memory of `lapse proxy` under a slow reader (issue 10's backpressure figure).
//
// A scripted upstream serves a large SSE stream (default 200 MB of ~4 KB Anthropic text deltas) as
// fast as its socket lets it; a raw node:http client reads it through `lapse proxy` (a child
// process, recording to a real trace) at a throttled rate (default 10 MB/s). If the proxy honours
// backpressure, the upstream can only run a few socket buffers ahead of the reader and the proxy's
// resident memory stays flat; if it buffered, its RSS would grow by what the reader has not taken.
// Sampled every 50 ms from /proc/PID/status (VmRSS), plus the kernel's peak (VmHWM).
//
//   npx tsc -p . && node bench/slow-reader/run.mjs [--mb 200] [--rate 10] [--event-kb 4] [--fast-after-mb N]
//
// --rate is MB/s for the reader; --fast-after-mb reads the rest at full speed after N MB (so a test can
// look at the slow phase without waiting for all of it). Prints one JSON object. `measure()` is what
// test/faults/client.test.ts calls with smaller settings.
import http from 'node:http';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const MB = 1024 * 1024;
const LAPSE = fileURLToPath(new URL('../../bin/lapse.js', import.meta.url));
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** VmRSS and VmHWM of a process, in bytes (null when /proc is not there). */
export function memoryOf(pid) {
  try {
    const s = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (k) => Number(new RegExp(`^${k}:\\s+(\\d+) kB`, 'm').exec(s)?.[1] ?? NaN) * 1024;
    return { rss: kb('VmRSS'), peak: kb('VmHWM') };
  } catch {
    return null;
  }
}

/** A few distinct ~eventBytes SSE events (text deltas of varied words), cycled by the upstream. */
function events(eventBytes) {
  const words = ['the', 'model', 'streams', 'tokens', 'while', 'a', 'slow', 'reader', 'takes', 'its', 'time', 'and', 'lapse', 'waits'];
  const out = [];
  let seed = 7;
  const rnd = () => ((seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32);
  for (let k = 0; k < 32; k++) {
    let text = '';
    while (text.length < eventBytes - 120) text += words[Math.floor(rnd() * words.length)] + ' ';
    out.push(Buffer.from(`event: content_block_delta\ndata: ${JSON.stringify({ type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text } })}\n\n`));
  }
  return out;
}

/**
 * Runs one measurement. Returns sizes in bytes and times in ms:
 * { bytes, ms, baselineRss, peakRss (sampled max), slowPeakRss (max while reading slowly), hwm (kernel peak),
 *   maxLead / slowMaxLead (upstream written − client read), traceBytes, exitCode, stderr }
 */
export async function measure({ totalBytes = 200 * MB, rateBytesPerSec = 10 * MB, eventBytes = 4096, fastAfterBytes = Infinity, sampleMs = 50, lapse = LAPSE } = {}) {
  const evs = events(eventBytes);
  let written = 0;
  let read = 0;
  let maxLead = 0;
  const upstream = http.createServer((req, res) => {
    req.resume();
    req.on('end', async () => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      let k = 0;
      while (written < totalBytes && !res.destroyed) {
        const e = evs[k++ % evs.length];
        written += e.length;
        if (!res.write(e)) await new Promise((r) => res.once('drain', r));
      }
      res.end('event: message_stop\ndata: {"type":"message_stop"}\n\n');
    });
  });
  await new Promise((r) => upstream.listen(0, '127.0.0.1', r));
  const upUrl = `http://127.0.0.1:${upstream.address().port}`;
  const dir = mkdtempSync(join(tmpdir(), 'lapse-slow-reader-'));
  const tracePath = join(dir, 'slow.lapse');
  const child = spawn(process.execPath, [lapse, 'proxy', '-o', tracePath, '--anthropic-upstream', upUrl, '--openai-upstream', `${upUrl}/v1`], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, LAPSE_HOME: dir },
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  const exited = new Promise((r) => child.on('close', (code) => r(code)));
  try {
    let base = null;
    for (let i = 0; i < 400 && !base; i++) {
      base = /ANTHROPIC_BASE_URL=(\S+)/.exec(stdout)?.[1] ?? null;
      if (!base) await sleep(25);
    }
    if (!base) throw new Error(`lapse proxy did not start: ${stderr.trim()}`);
    await sleep(300); // let start-up settle before the baseline
    const baselineRss = memoryOf(child.pid)?.rss ?? NaN;

    let peakRss = baselineRss;
    let slowPeakRss = baselineRss;
    let slowMaxLead = 0;
    const sampler = setInterval(() => {
      const m = memoryOf(child.pid);
      if (m && m.rss > peakRss) peakRss = m.rss;
      if (written - read > maxLead) maxLead = written - read;
      if (read < fastAfterBytes) {
        if (m && m.rss > slowPeakRss) slowPeakRss = m.rss;
        if (written - read > slowMaxLead) slowMaxLead = written - read;
      }
    }, sampleMs);

    const t0 = performance.now();
    await new Promise((resolve, reject) => {
      const req = http.request(`${base}/v1/messages`, { method: 'POST', headers: { 'content-type': 'application/json', 'anthropic-version': '2023-06-01' } }, (res) => {
        res.on('data', (chunk) => {
          read += chunk.length;
          if (read >= fastAfterBytes) return;
          // Throttle: never ahead of rate × elapsed.
          const due = (read / rateBytesPerSec) * 1000 - (performance.now() - t0);
          if (due > 1) {
            res.pause();
            setTimeout(() => res.resume(), due);
          }
        });
        res.on('end', resolve);
        res.on('error', reject);
      });
      req.on('error', reject);
      req.end(JSON.stringify({ model: 'claude-test', max_tokens: 1, stream: true, messages: [{ role: 'user', content: 'stream a lot' }] }));
    });
    const ms = performance.now() - t0;
    clearInterval(sampler);
    const hwm = memoryOf(child.pid)?.peak ?? NaN;
    child.kill('SIGINT');
    const code = await exited;
    let traceBytes = NaN;
    try {
      traceBytes = statSync(tracePath).size;
    } catch {
      // no trace
    }
    return { bytes: read, ms, baselineRss, peakRss, slowPeakRss, hwm, maxLead, slowMaxLead, traceBytes, exitCode: code, stderr: stderr.trim() };
  } finally {
    if (child.exitCode === null) child.kill('SIGKILL');
    await new Promise((r) => upstream.close(r));
    upstream.closeAllConnections?.();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const arg = (name, def) => {
    const i = process.argv.indexOf(`--${name}`);
    return i === -1 ? def : Number(process.argv[i + 1]);
  };
  const r = await measure({
    totalBytes: arg('mb', 200) * MB,
    rateBytesPerSec: arg('rate', 10) * MB,
    eventBytes: arg('event-kb', 4) * 1024,
    fastAfterBytes: arg('fast-after-mb', Infinity) * MB,
  });
  const mb = (b) => Math.round((b / MB) * 10) / 10;
  console.log(
    JSON.stringify(
      {
        streamedMB: mb(r.bytes),
        seconds: Math.round(r.ms / 100) / 10,
        readerMBps: mb((r.bytes / r.ms) * 1000),
        proxyBaselineRssMB: mb(r.baselineRss),
        proxyPeakRssMB: mb(r.peakRss),
        proxyPeakHwmMB: mb(r.hwm),
        growthMB: mb(r.peakRss - r.baselineRss),
        slowPhasePeakRssMB: mb(r.slowPeakRss),
        upstreamMaxLeadMB: mb(r.maxLead),
        traceMB: mb(r.traceBytes),
        proxyExit: r.exitCode,
        proxyStderr: r.stderr.split('\n').filter((l) => /warn/i.test(l)),
      },
      null,
      2,
    ),
  );
}

#!/usr/bin/env node
// The floor for any Node relay: node:http in, node:http out, each chunk written on as it comes, no
// recording. run.mjs measures it beside lapse, so lapse's own share of the relay thread's CPU and of
// the added latency can be told apart from what Node's HTTP stack and the kernel cost.
//
//   node bench/proxy-latency/plain-relay.mjs UPSTREAM_URL   (prints PORT=… when listening)
import http from 'node:http';

const upstream = new URL(process.argv[2]);
const agent = new http.Agent({ keepAlive: true, scheduling: 'lifo' });
const server = http.createServer({ noDelay: true, requestTimeout: 0 }, (req, res) => {
  const up = http.request({ host: upstream.hostname, port: upstream.port, path: req.url, method: req.method, headers: { ...req.headers, host: upstream.host }, agent }, (upRes) => {
    const headers = { ...upRes.headers };
    delete headers['transfer-encoding'];
    delete headers.connection;
    res.writeHead(upRes.statusCode ?? 502, headers);
    res.flushHeaders();
    upRes.on('data', (c) => {
      if (!res.write(c)) {
        upRes.pause();
        res.once('drain', () => upRes.resume());
      }
    });
    upRes.on('end', () => res.end());
  });
  up.on('socket', (s) => s.setNoDelay(true));
  up.on('error', () => req.socket.destroy());
  req.pipe(up);
});
server.listen(0, '127.0.0.1', () => console.log(`PORT=${server.address().port}`));
process.on('SIGTERM', () => process.exit(0));

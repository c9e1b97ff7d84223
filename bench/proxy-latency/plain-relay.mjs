#!/usr/bin/env node
// The floor for any Node relay: node:http in, node:http out, each chunk written on as it comes, no
// recording. run.mjs measures it beside lapse, so lapse's own share of the relay thread's CPU and of
// the added latency can be told apart from what Node's HTTP stack and the kernel cost.
//
//   node bench/proxy-latency/plain-relay.mjs UPSTREAM_URL   (prints PORT=… when listening)
//   node bench/proxy-latency/plain-relay.mjs UPSTREAM_URL --tcp   (bytes piped both ways, no HTTP at all:
//   the floor of any proxy written in Node, below which no Node relay's figures can go)
import http from 'node:http';
import net from 'node:net';

const upstream = new URL(process.argv[2]);
if (process.argv.includes('--tcp')) {
  const server = net.createServer({ noDelay: true }, (client) => {
    const up = net.connect({ host: upstream.hostname, port: Number(upstream.port), noDelay: true });
    client.pipe(up);
    up.pipe(client);
    const close = () => (client.destroy(), up.destroy());
    client.on('error', close);
    up.on('error', close);
  });
  server.listen(0, '127.0.0.1', () => console.log(`PORT=${server.address().port}`));
  process.on('SIGTERM', () => process.exit(0));
} else relayHttp();

function relayHttp() {
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
}

// Node peers for tests/test_http_peers.py. Usage: node node_client.js MODE PORT [ARGS...]
// Prints one JSON object on stdout; exits non-zero on any error.
'use strict';
const http = require('http');
const net = require('net');
const crypto = require('crypto');

const [mode, portArg, ...rest] = process.argv.slice(2);
const port = Number(portArg);
const host = '127.0.0.1';

function done(obj) {
  process.stdout.write(JSON.stringify(obj) + '\n');
}

function fail(err) {
  process.stderr.write(String(err && err.stack || err) + '\n');
  process.exit(1);
}

function get(agent, path) {
  return new Promise((resolve, reject) => {
    const req = http.request({ host, port, path, agent }, (res) => {
      const parts = [];
      res.on('data', (c) => parts.push(c));
      res.on('end', () => resolve({
        status: res.statusCode,
        body: Buffer.concat(parts).toString(),
        localPort: req.socket ? req.socket.localPort : null,
        reused: req.reusedSocket,
      }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

// N sequential GETs through one keep-alive Agent.
async function agent(n) {
  const a = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const results = [];
  for (let i = 0; i < n; i++) results.push(await get(a, `/req/${i}`));
  a.destroy();
  done({ results });
}

// Three requests written at once on a raw socket; the raw answer bytes are printed (latin1).
function pipeline() {
  const sock = net.connect(port, host, () => {
    sock.write(
      `GET /1 HTTP/1.1\r\nHost: ${host}\r\n\r\n` +
      `GET /2 HTTP/1.1\r\nHost: ${host}\r\n\r\n` +
      `GET /3 HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n\r\n`);
  });
  const parts = [];
  sock.on('data', (c) => parts.push(c));
  sock.on('end', () => done({ raw: Buffer.concat(parts).toString('latin1') }));
  sock.on('error', fail);
}

// A chunked POST streamed in COUNT writes of SIZE bytes, honouring write()'s return value.
function chunkedPost(count, size) {
  const hash = crypto.createHash('sha256');
  let total = 0;
  const req = http.request({ host, port, method: 'POST', path: '/upload' }, (res) => {
    const parts = [];
    res.on('data', (c) => parts.push(c));
    res.on('end', () => done({
      status: res.statusCode,
      answer: JSON.parse(Buffer.concat(parts).toString()),
      sent: { size: total, sha256: hash.digest('hex') },
    }));
  });
  req.on('error', fail);
  let i = 0;
  function writeSome() {
    while (i < count) {
      const chunk = crypto.randomBytes(size);
      hash.update(chunk);
      total += chunk.length;
      i++;
      if (!req.write(chunk)) {
        req.once('drain', writeSome);
        return;
      }
      if (i % 8 === 0) {  // let the event loop run: the body really streams
        setImmediate(writeSome);
        return;
      }
    }
    req.end();
  }
  writeSome();
}

(async () => {
  if (mode === 'agent') await agent(Number(rest[0] || 5));
  else if (mode === 'pipeline') pipeline();
  else if (mode === 'chunked-post') chunkedPost(Number(rest[0] || 64), Number(rest[1] || 16384));
  else fail(`unknown mode ${mode}`);
})().catch(fail);

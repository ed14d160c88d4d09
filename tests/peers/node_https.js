// Node https peers for tests/test_https_peers.py (certificates from tests/certs).
//   node node_https.js server            -> prints the port, then serves until killed:
//        /hello -> "hello from node https"; /hash -> {"size","sha256"} of the body;
//        /stream?n=N -> N writes of 1 KiB
//   node node_https.js client PORT N BYTES -> N GETs on one keep-alive agent, then a
//        chunked POST of BYTES bytes to /hash; prints one JSON object
// Exits non-zero on any error.
'use strict';
const https = require('https');
const crypto = require('crypto');
const fs = require('fs');
const path = require('path');

const certs = path.join(__dirname, '..', 'certs');
const read = (name) => fs.readFileSync(path.join(certs, name));
const [mode, portArg, nArg, bytesArg] = process.argv.slice(2);

function fail(err) {
  process.stderr.write(String((err && err.stack) || err) + '\n');
  process.exit(1);
}

if (mode === 'server') {
  const server = https.createServer({ key: read('server-key.pem'), cert: read('server.pem') }, (req, res) => {
    const url = new URL(req.url, 'https://x');
    if (url.pathname === '/hello') {
      res.end('hello from node https');
    } else if (url.pathname === '/hash') {
      const h = crypto.createHash('sha256');
      let size = 0;
      req.on('data', (d) => { h.update(d); size += d.length; });
      req.on('end', () => res.end(JSON.stringify({ size, sha256: h.digest('hex') })));
    } else if (url.pathname === '/stream') {
      const n = Number(url.searchParams.get('n') || 10);
      let i = 0;
      const block = Buffer.alloc(1024, 'x');
      (function more() {
        while (i < n) { i++; if (!res.write(block)) { res.once('drain', more); return; } }
        res.end();
      })();
    } else {
      res.statusCode = 404;
      res.end('not found');
    }
  });
  server.listen(0, '127.0.0.1', () => process.stdout.write(`${server.address().port}\n`));
} else if (mode === 'client') {
  const port = Number(portArg);
  const agent = new https.Agent({ keepAlive: true, maxSockets: 1, ca: read('ca.pem') });
  const results = [];
  const get = (i) => new Promise((resolve, reject) => {
    const req = https.get({ host: 'localhost', port, path: `/req/${i}`, agent }, (res) => {
      const parts = [];
      res.on('data', (c) => parts.push(c));
      res.on('end', () => resolve({
        status: res.statusCode, body: Buffer.concat(parts).toString(), reused: req.reusedSocket,
        authorized: req.socket.authorized, protocol: req.socket.getProtocol(),
      }));
    });
    req.on('error', reject);
  });
  const upload = (bytes) => new Promise((resolve, reject) => {
    const data = crypto.randomBytes(bytes);
    const req = https.request({ host: 'localhost', port, path: '/hash', method: 'POST', agent }, (res) => {
      const parts = [];
      res.on('data', (c) => parts.push(c));
      res.on('end', () => resolve({ answer: JSON.parse(Buffer.concat(parts).toString()),
        sha256: crypto.createHash('sha256').update(data).digest('hex') }));
    });
    req.on('error', reject);
    for (let i = 0; i < data.length; i += 65536) req.write(data.subarray(i, i + 65536));
    req.end();
  });
  (async () => {
    for (let i = 0; i < Number(nArg); i++) results.push(await get(i));
    const up = await upload(Number(bytesArg));
    agent.destroy();
    process.stdout.write(JSON.stringify({ results, upload: up }) + '\n');
  })().catch(fail);
} else {
  fail(`unknown mode ${mode}`);
}

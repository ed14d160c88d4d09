'use strict';
// Anchor: Node's https server with the benchmark routes of node_http_server.js.
// Usage: node bench/node_https_server.js PORT
// Routes: / (13 bytes), /chunked (ten 1 KiB writes), /upload (counts the body, answers the count).
// The certificate is the test one in tests/certs (a P-256 key, as trustme makes).
// Prints "listening PORT" on stdout once bound to 127.0.0.1.

const https = require('https');
const fs = require('fs');
const path = require('path');

const port = Number(process.argv[2] || 8443);
const certs = path.join(__dirname, '..', 'tests', 'certs');
const FIXED = Buffer.from('Hello, World!');  // 13 bytes
const KIB = Buffer.alloc(1024, 0x62);

const server = https.createServer({
  key: fs.readFileSync(path.join(certs, 'server-key.pem')),
  cert: fs.readFileSync(path.join(certs, 'server.pem')),
}, (req, res) => {
  if (req.url === '/') {
    res.setHeader('Content-Type', 'text/plain');
    res.end(FIXED);
  } else if (req.url === '/chunked') {
    res.setHeader('Content-Type', 'application/octet-stream');
    for (let i = 0; i < 10; i++) res.write(KIB);
    res.end();
  } else if (req.url === '/upload') {
    let n = 0;
    req.on('data', (chunk) => { n += chunk.length; });
    req.on('end', () => {
      res.setHeader('Content-Type', 'text/plain');
      res.end(String(n));
    });
  } else {
    res.statusCode = 404;
    res.end();
  }
});
server.on('tlsClientError', () => {});

server.listen(port, '127.0.0.1', () => {
  process.stdout.write(`listening ${port}\n`);
});

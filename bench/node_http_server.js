'use strict';
// Anchor: Node's http server with the benchmark routes.
// Usage: node bench/node_http_server.js PORT [KEEP_ALIVE_MS]
//   GET  /         13-byte body with Content-Length (res.end(body)); /fixed is the same
//                  route under its older name
//   GET  /chunked  ten 1 KiB res.write() calls then res.end(): chunked encoding
//   POST /upload   counts the request body's bytes, answers the count
// KEEP_ALIVE_MS sets server.keepAliveTimeout (Node's default is 5000 ms): the idle
// connection benchmark holds connections longer than that.
// Prints "listening PORT" on stdout once bound to 127.0.0.1.

const http = require('http');

const port = Number(process.argv[2] || 8080);
const FIXED = Buffer.from('Hello, World!');  // 13 bytes
const KIB = Buffer.alloc(1024, 0x62);

const server = http.createServer((req, res) => {
  if (req.url === '/' || req.url === '/fixed') {
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

if (process.argv[3]) server.keepAliveTimeout = Number(process.argv[3]);

server.listen(port, '127.0.0.1', () => {
  process.stdout.write(`listening ${port}\n`);
});

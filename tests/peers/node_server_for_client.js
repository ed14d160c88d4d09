// A Node http server for tests/test_http_client.py. Usage: node node_server_for_client.js
// Prints the port on the first line, then serves until killed.
//   /hello      -> "hello from node" (Content-Length)
//   /echo       -> the request body piped back (chunked)
//   /hash       -> {"size", "sha256"} of the request body
//   /stream?n=N -> N chunked writes of 1 KiB
//   /conn       -> the remote port of the connection (to count connections)
'use strict';
const http = require('http');
const crypto = require('crypto');

const server = http.createServer((req, res) => {
  const url = new URL(req.url, 'http://x');
  if (url.pathname === '/hello') {
    res.end('hello from node');
  } else if (url.pathname === '/echo') {
    res.setHeader('Content-Type', req.headers['content-type'] || 'application/octet-stream');
    req.pipe(res);
  } else if (url.pathname === '/hash') {
    const h = crypto.createHash('sha256');
    let size = 0;
    req.on('data', (d) => { h.update(d); size += d.length; });
    req.on('end', () => res.end(JSON.stringify({ size, sha256: h.digest('hex'),
      te: req.headers['transfer-encoding'] || null, cl: req.headers['content-length'] || null })));
  } else if (url.pathname === '/stream') {
    const n = Number(url.searchParams.get('n') || 10);
    let i = 0;
    const block = Buffer.alloc(1024, 'x');
    (function more() {
      while (i < n) { i++; if (!res.write(block)) { res.once('drain', more); return; } }
      res.end();
    })();
  } else if (url.pathname === '/conn') {
    res.end(String(req.socket.remotePort));
  } else {
    res.statusCode = 404;
    res.end('not found');
  }
});
server.keepAliveTimeout = 5000;
server.listen(0, '127.0.0.1', () => process.stdout.write(server.address().port + '\n'));

'use strict';
// POST whose body is given to end(data) alone: Content-Length, no chunking.
// Port of test/parallel/test-http-content-length.js (the end(data) case).
const http = require('http');
const { rawServer, trace } = require('./lib/raw.js');

(async () => {
  const s = rawServer({
    onRequest: (conn) => conn.socket.write('HTTP/1.1 201 Created\r\nContent-Length: 2\r\n\r\nok'),
  });
  await s.ready;
  const req = http.request({ host: '127.0.0.1', port: s.port, method: 'POST', path: '/up', agent: false });
  trace(req, s.clog, { done: () => s.finish() });
  req.end('hello world');
  s.clog('after end', req.writableEnded, req.headersSent);
})();

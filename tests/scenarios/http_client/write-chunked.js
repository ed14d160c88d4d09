'use strict';
// POST with write() before end(): Transfer-Encoding: chunked; an empty write sends nothing.
// Port of test/parallel/test-http-chunked.js (client side) / test-http-content-length.js.
const http = require('http');
const { rawServer, trace } = require('./lib/raw.js');

(async () => {
  const s = rawServer({
    onRequest: (conn) => conn.socket.write('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n2\r\nde\r\n0\r\nX-T: 1\r\n\r\n'),
  });
  await s.ready;
  const req = http.request({ host: '127.0.0.1', port: s.port, method: 'PUT', path: '/c', agent: false });
  trace(req, s.clog, { done: () => s.finish() });
  s.clog('write', req.write('abc'));
  s.clog('write', req.write(''));
  s.clog('write', req.write(Buffer.from('defg')));
  req.end('h');
})();

'use strict';
// A chunked response with trailers, arriving in pieces: data events, then
// res.trailers at 'end'.
// Port of test/parallel/test-http-client-response-trailers... (test-http-set-trailers.js, client side).
const http = require('http');
const { rawServer } = require('./lib/raw.js');

(async () => {
  const s = rawServer({
    onRequest: (conn) => {
      conn.socket.write('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nTrailer: X-Sum\r\n\r\n4\r\nwiki\r\n');
      setTimeout(() => conn.socket.write('5\r\npedia\r\n0\r\nX-Sum: 9\r\n\r\n'), 20);
    },
  });
  await s.ready;
  const req = http.get({ host: '127.0.0.1', port: s.port, agent: false }, (res) => {
    s.clog('response', res.statusCode, res.headers);
    res.on('data', (d) => s.clog('data', d.toString()));
    res.on('end', () => s.clog('end', res.trailers, res.rawTrailers, res.complete));
  });
  req.on('close', () => { s.clog('close'); s.finish(); });
})();

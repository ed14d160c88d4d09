'use strict';
// Expect: 100-continue: the head goes out at once; the body is written on 'continue'.
// Port of test/parallel/test-http-expect-continue.js (client side).
const http = require('http');
const { rawServer, trace } = require('./lib/raw.js');

(async () => {
  const s = rawServer({
    onHead: (conn, head) => {
      s.slog('head', head.includes('100-continue'));
      conn.socket.write('HTTP/1.1 100 Continue\r\n\r\n');
    },
    onRequest: (conn) => conn.socket.write('HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\ndone'),
  });
  await s.ready;
  const req = http.request({ host: '127.0.0.1', port: s.port, method: 'POST', agent: false,
    headers: { Expect: '100-continue', 'Content-Length': 5 } });
  s.clog('headersSent', req.headersSent);
  trace(req, s.clog, { done: () => s.finish() });
  req.on('continue', () => { s.clog('continue'); req.end('hello'); });
  req.on('information', (info) => s.clog('information', info.statusCode));
})();

'use strict';
// flushHeaders(): the head leaves before any body; the body follows chunked.
// Port of test/parallel/test-http-flush-headers.js.
const http = require('http');
const { rawServer, trace } = require('./lib/raw.js');

(async () => {
  let req;
  const s = rawServer({
    onHead: (conn, head) => {
      s.slog('head', head.length > 0);
      setImmediate(() => req.end('body'));
    },
    onRequest: (conn) => conn.socket.write('HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n'),
  });
  await s.ready;
  req = http.request({ host: '127.0.0.1', port: s.port, method: 'POST', agent: false,
    headers: { 'X-Test': 'flush' } });
  trace(req, s.clog, { done: () => s.finish() });
  req.flushHeaders();
  s.clog('headersSent', req.headersSent);
  try { req.setHeader('X-Late', '1'); } catch (e) { s.clog('setHeader', e); }
})();

'use strict';
// agent: false (a fresh non-keep-alive agent): Connection: close; DELETE with no body
// has neither Content-Length nor Transfer-Encoding.
// Port of test/parallel/test-http-agent-false.js / test-http-client-default-headers-exist.js.
const http = require('http');
const { rawServer, trace } = require('./lib/raw.js');

(async () => {
  const s = rawServer({
    onRequest: (conn) => { conn.socket.end('HTTP/1.1 200 OK\r\nConnection: close\r\n\r\nuntil close'); },
  });
  await s.ready;
  const req = http.request({ host: '127.0.0.1', port: s.port, method: 'DELETE', path: '/x', agent: false });
  trace(req, s.clog, { done: () => s.finish() });
  req.end();
})();

'use strict';
// A malformed status line: 'error' with an HPE_* code, then 'close'; no 'response'.
// Port of test/parallel/test-http-client-parse-error.js.
const http = require('http');
const { rawServer, trace } = require('./lib/raw.js');

(async () => {
  const s = rawServer({ onRequest: (conn) => conn.socket.write('HTTP/1.1 2x0 OK\r\n\r\n') });
  await s.ready;
  const req = http.request({ host: '127.0.0.1', port: s.port, agent: false });
  trace(req, s.clog, { done: () => s.finish() });
  req.end();
})();

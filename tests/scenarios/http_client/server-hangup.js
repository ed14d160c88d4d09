'use strict';
// The server closes the connection without answering: 'error' ECONNRESET
// ("socket hang up"), then 'close'.
// Port of test/parallel/test-http-client-parse-error.js / test-http-socket-hang-up.js.
const http = require('http');
const { rawServer, trace } = require('./lib/raw.js');

(async () => {
  const s = rawServer({ onRequest: (conn) => conn.socket.destroy() });
  await s.ready;
  const req = http.request({ host: '127.0.0.1', port: s.port, agent: false });
  trace(req, s.clog, { done: () => s.finish() });
  req.end();
})();

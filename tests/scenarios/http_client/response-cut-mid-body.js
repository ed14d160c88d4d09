'use strict';
// The server closes (FIN) in the middle of a chunked response body, and then in the middle
// of a Content-Length body: the client got 'response' and some data; then res 'aborted',
// the request's 'close', and res 'error' ECONNRESET "aborted", res 'close' - never 'end'.
// After test/parallel/test-http-aborted.js (client side) and test-http-response-close.js.
const http = require('http');
const { rawServer, trace } = require('./lib/raw.js');

const answers = [
  'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n4\r\nwiki\r\n5\r\nped',
  'HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nhello',
];

(async () => {
  const s = rawServer({ onRequest: (conn, text, n) => conn.socket.end(answers[n]) });
  await s.ready;
  for (let i = 0; i < answers.length; i++) {
    await new Promise((resolve) => {
      const req = http.request({ host: '127.0.0.1', port: s.port, path: `/${i}`, agent: false });
      trace(req, s.clog);
      req.on('response', (res) => {
        res.on('aborted', () => s.clog('res aborted', res.aborted, res.complete));
        res.on('error', (e) => s.clog('res error', e, e.message));
        res.on('close', () => setImmediate(resolve));
      });
      req.end();
    });
  }
  s.finish();
})();

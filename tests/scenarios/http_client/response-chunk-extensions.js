'use strict';
// Chunk extensions in a response: the same 16 KiB per-chunk budget as on the server side.
// 16384 bytes of extension name+value parse; 16385 are HPE_CHUNK_EXTENSIONS_OVERFLOW, reported
// on the request after 'response' (the body had started), with res 'aborted'/'error'.
// After test/parallel/test-http-chunk-extensions-limit.js (client side).
const http = require('http');
const { rawServer, trace } = require('./lib/raw.js');

const head = 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n';
const answers = [
  head + '2;' + 'e'.repeat(16384) + '\r\nok\r\n0\r\n\r\n',
  head + '2;' + 'e'.repeat(16385) + '\r\nok\r\n0\r\n\r\n',
];

(async () => {
  const s = rawServer({ onRequest: (conn, text, n) => conn.socket.write(answers[n]) });
  await s.ready;
  for (let i = 0; i < answers.length; i++) {
    await new Promise((resolve) => {
      const req = http.request({ host: '127.0.0.1', port: s.port, path: `/${i}`, agent: false });
      req.on('close', () => setImmediate(resolve));
      trace(req, s.clog);
      req.on('response', (res) => {
        res.on('aborted', () => s.clog('res aborted'));
        res.on('error', (e) => s.clog('res error', e, e.message));
      });
      req.end();
    });
  }
  s.finish();
})();

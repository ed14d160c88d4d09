'use strict';
// Responses whose status line names a version other than 1.0/1.1. Each on its own
// connection (agent: false): 'HTTP/2.0 200 OK' and 'HTTP/0.9 200 OK' are parsed (llhttp
// accepts them), 'HTTP/1.2 200 OK' is HPE_INVALID_VERSION. Then two requests through a
// keep-alive agent answered 'HTTP/2.0': llhttp keeps an x.0 response alive only with a
// 'Connection: keep-alive' header, so the second request gets a new connection.
// After test/parallel/test-http-client-parse-error.js and test-http-keep-alive.js.
const http = require('http');
const { rawServer, trace } = require('./lib/raw.js');

const answers = [
  'HTTP/2.0 200 OK\r\nContent-Length: 2\r\n\r\nok',
  'HTTP/1.2 200 OK\r\nContent-Length: 2\r\n\r\nok',
  'HTTP/0.9 200 OK\r\nContent-Length: 2\r\n\r\nok',
  'HTTP/2.0 200 OK\r\nContent-Length: 2\r\n\r\nk1',
  'HTTP/2.0 200 OK\r\nContent-Length: 2\r\n\r\nk2',
];

function one(options) {
  return new Promise((resolve) => {
    const req = http.request(options);
    req.on('close', () => setImmediate(resolve));
    trace(req, (...a) => clog(...a));
    req.on('response', () => clog('reused', req.reusedSocket));
    req.end();
  });
}

let clog;
(async () => {
  const s = rawServer({ onRequest: (conn, text, n) => conn.socket.write(answers[n]) });
  clog = s.clog;
  await s.ready;
  for (let i = 0; i < 3; i++) await one({ host: '127.0.0.1', port: s.port, path: `/${i}`, agent: false });
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  for (let i = 3; i < 5; i++) await one({ host: '127.0.0.1', port: s.port, path: `/${i}`, agent });
  agent.destroy();
  s.finish();
})();

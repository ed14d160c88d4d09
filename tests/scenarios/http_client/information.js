'use strict';
// 1xx answers other than 100 become 'information' events before 'response'.
// Port of test/parallel/test-http-information-processing.js / test-http-early-hints.js.
const http = require('http');
const { rawServer, trace } = require('./lib/raw.js');

(async () => {
  const s = rawServer({
    onRequest: (conn) => conn.socket.write(
      'HTTP/1.1 102 Processing\r\n\r\n' +
      'HTTP/1.1 103 Early Hints\r\nLink: </style.css>; rel=preload\r\n\r\n' +
      'HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nfin'),
  });
  await s.ready;
  const req = http.request({ host: '127.0.0.1', port: s.port, agent: false });
  req.on('information', (info) => s.clog('information', info.statusCode, info.statusMessage,
    info.httpVersion, info.headers, info.rawHeaders));
  trace(req, s.clog, { done: () => s.finish() });
  req.end();
})();

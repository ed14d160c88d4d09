'use strict';
// http.get with the global agent (keepAlive in Node 20): the request bytes
// (Host and Connection defaults), then the client's event order:
// 'socket', 'finish', 'response', data, res 'end', 'close'.
// Port of test/parallel/test-http-client-get-url.js / test-http-request-end.js.
const http = require('http');
const { rawServer, trace } = require('./lib/raw.js');

(async () => {
  const s = rawServer({
    onRequest: (conn) => conn.socket.write('HTTP/1.1 200 OK\r\nContent-Length: 5\r\nX-Answer: yes\r\n\r\nhello'),
  });
  await s.ready;
  const req = http.get(`http://127.0.0.1:${s.port}/path?q=1`);
  s.clog('props', req.method, req.path, req.host, req.protocol, req.headersSent, req.writableEnded);
  trace(req, s.clog, { done: () => s.finish() });
  req.on('response', () => s.clog('reused', req.reusedSocket));
})();

'use strict';
// HEAD: the response's Content-Length announces a body that never comes.
// Port of test/parallel/test-http-head-request.js.
const http = require('http');
const { rawServer, trace } = require('./lib/raw.js');

(async () => {
  const s = rawServer({
    onRequest: (conn) => conn.socket.write('HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n'),
  });
  await s.ready;
  const req = http.request({ host: '127.0.0.1', port: s.port, method: 'HEAD', agent: false });
  trace(req, s.clog, { done: () => s.finish() });
  req.end();
})();

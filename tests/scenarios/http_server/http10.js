'use strict';
// HTTP/1.0 requests: no chunked encoding, the body is delimited by the close.
// end(data) adds no Content-Length; an explicit Content-Length with Connection: keep-alive
// keeps the connection open. Port of test/parallel/test-http-1.0.js.
const { listen, connect, maskDate, log } = require('./lib/wire.js');

async function one(server, request, needle) {
  const c = connect(server);
  c.write(request);
  if (needle) {
    await c.waitFor(needle);
    c.done();
  }
  const bytes = await c.closed;
  log('client', 'bytes', maskDate(bytes));
}

(async () => {
  let n = 0;
  const server = await listen((req, res) => {
    const i = n++;
    log('server', 'request', i, req.httpVersion, req.headers.connection);
    res.on('finish', () => log('server', 'res finish', i));
    if (i === 0) {
      res.write('a');
      res.end('b');
    } else if (i === 1) {
      res.end('hello');
    } else {
      res.setHeader('Content-Length', 2);
      res.end('ok');
    }
  });
  await one(server, 'GET / HTTP/1.0\r\n\r\n');
  await one(server, 'GET / HTTP/1.0\r\nHost: x\r\n\r\n');
  await one(server, 'GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n', '\r\n\r\nok');
  server.close();
})();

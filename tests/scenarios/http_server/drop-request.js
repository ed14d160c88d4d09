'use strict';
// server.maxRequestsPerSocket = 2: the 2nd response says "Connection: close" (no
// Keep-Alive) but the server keeps the connection; every HTTP/1.1 request past the
// limit, pipelined or sent later, emits 'dropRequest' (req, socket) instead of
// 'request' and is answered 503 (Connection: close, an empty chunked body).
// The connection ends when the client ends it.
// Port of test/parallel/test-http-keep-alive-max-requests.js, with the requests
// past the limit.
const { listen, connect, maskDate, log } = require('./lib/wire.js');

(async () => {
  let n = 0;
  const server = await listen((req, res) => {
    log('server', 'request', n++, req.url);
    res.end('ok' + req.url);
  });
  server.maxRequestsPerSocket = 2;
  server.on('dropRequest', (req, socket) => {
    log('server', 'dropRequest', req.method, req.url, socket === req.socket);
  });
  const c = connect(server);
  c.socket.on('end', () => log('client', 'server ended'));
  c.write('GET /1 HTTP/1.1\r\nHost: x\r\n\r\nGET /2 HTTP/1.1\r\nHost: x\r\n\r\n' +
          'GET /3 HTTP/1.1\r\nHost: x\r\n\r\n');
  await c.waitFor('503 Service Unavailable');
  await c.waitFor('0\r\n\r\n');
  log('client', 'still open');
  c.write('POST /4 HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabc');
  await c.waitFor('\r\n\r\nHTTP/1.1 503 Service Unavailable');
  await c.waitFor('0\r\n\r\nHTTP/1.1 503 Service Unavailable\r\nDate: ');
  c.done();
  log('client', 'bytes', maskDate(await c.closed));
  server.close();
})();

'use strict';
// A request with Connection: close gets "Connection: close" back and the server ends the
// socket after the response; a chunked request body is decoded into 'data' events.
// Port of test/parallel/test-http-server-keep-alive-timeout.js (close path) and
// test-http-chunked-304.js style raw checks.
const { listen, connect, maskDate, log } = require('./lib/wire.js');

(async () => {
  const server = await listen((req, res) => {
    log('server', 'request', req.headers.connection, req.headers['transfer-encoding']);
    const body = [];
    req.on('data', (d) => body.push(d));
    req.on('end', () => {
      log('server', 'req end', Buffer.concat(body).toString(), req.trailers);
      res.end('bye');
    });
    res.on('finish', () => log('server', 'res finish'));
  });
  const c = connect(server);
  c.socket.on('end', () => log('client', 'server ended'));
  c.write('POST / HTTP/1.1\r\nHost: x\r\nConnection: close\r\nTransfer-Encoding: chunked\r\n\r\n' +
          '3;ext=1\r\nabc\r\n2\r\nde\r\n0\r\nX-Trailer: t\r\n\r\n');
  log('client', 'bytes', maskDate(await c.closed));
  server.close();
})();

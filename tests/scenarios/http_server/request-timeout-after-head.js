'use strict';
// The request timeout fires after the response head was sent: a `req.pipe(res)` handler
// echoes the first half of an upload, then the client stops sending. Node's connection
// check finds the request past requestTimeout, reports ERR_HTTP_REQUEST_TIMEOUT as
// 'clientError' and, since the head is out, writes no 408: it destroys the socket.
// After test/parallel/test-http-server-request-timeout-delayed-body.js and
// test-http-server-request-timeout-upgrade.js.
const { listen, connect, maskDate, log } = require('./lib/wire.js');
const { watch, spyClientError } = require('./lib/watch.js');

(async () => {
  let closed;
  const resClosed = new Promise((r) => { closed = r; });
  const server = await listen((req, res) => {
    log('server', 'request', req.method, req.url, req.headers['content-length']);
    watch(req, 'req', ['aborted', 'error', 'end', 'close']);
    watch(res, 'res', ['error', 'finish', 'close']);
    watch(req.socket, 'socket', ['end', 'error', 'close']);
    req.on('data', (d) => log('server', 'req data', d.toString('latin1')));
    res.writeHead(200, { 'Content-Type': 'text/plain' });
    req.pipe(res);
    res.on('close', () => {
      log('server', 'state at res close', res.headersSent, res.writableEnded, res.destroyed,
          req.complete, req.destroyed, req.socket.destroyed);
      closed();
    });
  }, { requestTimeout: 300, headersTimeout: 300, connectionsCheckingInterval: 20 });
  spyClientError(server);
  const c = connect(server);
  let ended = false;
  c.socket.on('end', () => { ended = true; });
  c.socket.on('error', (e) => log('client', 'error', e));
  c.write('POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\nhello');
  await c.waitFor('hello\r\n');
  // ... and nothing more: the other 5 bytes never come.
  const bytes = await c.closed;
  await resClosed;
  await new Promise((r) => setImmediate(r));
  log('client', 'ended by server', ended);
  log('client', 'bytes', maskDate(bytes));
  server.close(() => log('server', 'closed'));
  server.closeAllConnections(); // nothing left to close: every connection is gone already
})();

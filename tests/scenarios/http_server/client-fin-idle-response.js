'use strict';
// A client half-closes (FIN) while a started response sits idle: the handler wrote the
// head and one chunk and then waits (a long poll, an event stream). Node's server does not
// keep HTTP connections half-open: it ends its side at once, the socket closes, and the
// request and response report the close (the response never finishes).
// After test/parallel/test-http-server-close-idle.js and test-http-req-res-close.js.
const { listen, connect, maskDate, log } = require('./lib/wire.js');
const { watch, spyClientError } = require('./lib/watch.js');

(async () => {
  let closed;
  const resClosed = new Promise((r) => { closed = r; });
  const server = await listen((req, res) => {
    log('server', 'request', req.method, req.url);
    watch(req, 'req', ['aborted', 'error', 'end', 'close']);
    watch(res, 'res', ['error', 'finish', 'close']);
    watch(req.socket, 'socket', ['end', 'error', 'close']);
    req.resume();
    res.writeHead(200, { 'Content-Type': 'text/plain' });
    res.write('first');
    res.on('close', () => {
      log('server', 'state at res close', res.writableEnded, res.writableFinished, res.destroyed,
          req.complete, req.destroyed, req.socket.destroyed);
      closed();
    });
  });
  spyClientError(server);
  const c = connect(server);
  let ended = false;
  c.socket.on('end', () => { ended = true; });
  c.write('GET /idle HTTP/1.1\r\nHost: x\r\n\r\n');
  await c.waitFor('first\r\n');
  c.socket.end();
  const bytes = await c.closed;
  await resClosed;
  await new Promise((r) => setImmediate(r));
  log('client', 'ended by server', ended);
  log('client', 'bytes', maskDate(bytes));
  server.close(() => log('server', 'closed'));
  server.closeAllConnections(); // nothing left to close: every connection is gone already
})();

'use strict';
// EOF in the middle of a chunked request body: the client sends one chunk and part of the
// next, then half-closes. At the end of input llhttp reports HPE_INVALID_EOF_STATE; Node
// emits 'clientError', answers 400 (no response was started) and destroys the socket; the
// request, which got the first chunk's data, is aborted.
// After test/parallel/test-http-server-client-error.js.
const { listen, connect, maskDate, log } = require('./lib/wire.js');
const { watch, spyClientError } = require('./lib/watch.js');

(async () => {
  let closed;
  const reqClosed = new Promise((r) => { closed = r; });
  const server = await listen((req, res) => {
    log('server', 'request', req.method, req.url, req.headers['transfer-encoding']);
    watch(req, 'req', ['aborted', 'error', 'end']);
    watch(res, 'res', ['error', 'finish', 'close']);
    watch(req.socket, 'socket', ['end', 'error', 'close']);
    req.on('data', (d) => log('server', 'req data', d.toString('latin1')));
    req.on('end', () => res.end('done'));
    req.on('close', () => {
      log('server', 'req close', req.complete, req.aborted, res.headersSent);
      closed();
    });
  });
  spyClientError(server);
  const c = connect(server);
  let ended = false;
  c.socket.on('end', () => { ended = true; });
  c.write('POST /up HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n6\r\nwor');
  c.socket.end();
  const bytes = await c.closed;
  await reqClosed;
  await new Promise((r) => setImmediate(r));
  log('client', 'ended by server', ended);
  log('client', 'bytes', maskDate(bytes));
  server.close(() => log('server', 'closed'));
  server.closeAllConnections(); // nothing left to close: every connection is gone already
})();

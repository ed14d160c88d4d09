'use strict';
// A client aborts mid-upload, after the handler started its response: once by closing
// (FIN: Node's client req.destroy()), once by resetting (RST). The request was not
// complete, so Node's order is: req 'aborted', res 'close', req 'error' (ECONNRESET,
// "aborted"), req 'close'. A FIN mid-body is also a parse error at end of input
// (HPE_INVALID_EOF_STATE), a reset is ECONNRESET; either goes to 'clientError', and
// since the head is out no 400 is written.
// Port of test/parallel/test-http-aborted.js (server side, with a body in flight).
const { listen, connect, maskDate, log } = require('./lib/wire.js');
const { watch, spyClientError } = require('./lib/watch.js');

(async () => {
  let closed;
  const server = await listen((req, res) => {
    const tag = req.url.slice(1);
    log('server', tag, 'request', req.method, req.headers['content-length'], req.aborted);
    watch(req, `${tag} req`, ['aborted', 'error', 'end', 'close']);
    watch(res, `${tag} res`, ['error', 'finish', 'close']);
    req.on('data', (d) => log('server', tag, 'req data', d.toString('latin1')));
    res.write('hello');
    req.on('close', () => {
      log('server', tag, 'state at req close', req.aborted, req.complete, res.writableEnded,
          res.destroyed, req.socket.destroyed);
      closed();
    });
  });
  spyClientError(server);
  for (const tag of ['fin', 'rst']) {
    const reqClosed = new Promise((r) => { closed = r; });
    const c = connect(server);
    c.write(`POST /${tag} HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\nabc`);
    await c.waitFor('hello\r\n');
    if (tag === 'fin') c.socket.destroy(); else c.socket.resetAndDestroy();
    const bytes = await c.closed;
    await reqClosed;
    await new Promise((r) => setImmediate(r));
    log('client', tag, 'bytes', maskDate(bytes));
  }
  server.close(() => log('server', 'closed'));
  server.closeAllConnections(); // nothing left to close: every connection is gone already
})();

'use strict';
// flushHeaders() sends the head at once; the client sees it before any body is written;
// the body is then chunked. Port of test/parallel/test-http-flush-headers.js.
const { listen, connect, maskDate, log } = require('./lib/wire.js');

(async () => {
  let release;
  const server = await listen((req, res) => {
    res.setHeader('X-Early', '1');
    res.flushHeaders();
    log('server', 'flushed', res.headersSent);
    release = () => { res.write('late'); res.end(); };
  });
  const c = connect(server);
  c.write('GET / HTTP/1.1\r\nHost: x\r\n\r\n');
  await c.waitFor('\r\n\r\n');
  log('client', 'head arrived');
  release();
  await c.waitFor('0\r\n\r\n');
  c.done();
  log('client', 'bytes', maskDate(await c.closed));
  server.close();
})();

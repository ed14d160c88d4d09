'use strict';
// Expect: 100-continue with no 'checkContinue' listener: Node writes "100 Continue" at
// once, then emits 'request'; the client sends the body only after seeing the 100.
// Port of test/parallel/test-http-expect-continue.js.
const { listen, connect, maskDate, log } = require('./lib/wire.js');

(async () => {
  const server = await listen((req, res) => {
    log('server', 'request', req.headers.expect);
    const body = [];
    req.on('data', (d) => { body.push(d); });
    req.on('end', () => {
      log('server', 'req end', Buffer.concat(body).toString());
      res.end('got ' + Buffer.concat(body).toString());
    });
  });
  const c = connect(server);
  c.write('POST / HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\n');
  await c.waitFor('100 Continue\r\n\r\n');
  log('client', '100 seen');
  c.write('hello');
  await c.waitFor('got hello');
  c.done();
  log('client', 'bytes', maskDate(await c.closed));
  server.close();
})();

'use strict';
// Server-side event order for a POST whose body arrives in two pieces: 'request',
// req 'data' x2, req 'end', then res 'finish', req 'close', res 'close'.
// Port of test/parallel/test-http-server-close-destroy-timeout.js /
// test-http-req-close-robust-from-tampering.js (event order part).
const { listen, connect, maskDate, log } = require('./lib/wire.js');

(async () => {
  let sendRest;
  const server = await listen((req, res) => {
    log('server', 'request', req.method, req.headers['content-length']);
    req.on('data', (d) => {
      log('server', 'req data', d.toString());
      if (sendRest) { const f = sendRest; sendRest = null; f(); }
    });
    req.on('end', () => {
      log('server', 'req end', req.complete);
      res.end('done');
      log('server', 'after res.end', res.writableEnded, res.writableFinished);
    });
    req.on('close', () => log('server', 'req close', req.destroyed));
    res.on('finish', () => log('server', 'res finish'));
    res.on('close', () => log('server', 'res close'));
  });
  const c = connect(server);
  sendRest = () => c.write('world');
  c.write('POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\nhello');
  await c.waitFor('done');
  c.done();
  log('client', 'bytes', maskDate(await c.closed));
  server.close();
})();

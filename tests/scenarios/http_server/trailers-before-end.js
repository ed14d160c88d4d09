'use strict';
// req.trailers read before 'end' is an empty object; the trailers are added to that same
// object when the message completes, so at 'end' both it and req.trailers hold them
// (rawTrailers is replaced). The trailer section arrives in a later write than the data.
// After test/parallel/test-http-set-trailers.js and test-http-raw-headers.js.
const { listen, connect, maskDate, log } = require('./lib/wire.js');

(async () => {
  let sendTrailers;
  const server = await listen((req, res) => {
    const early = req.trailers;
    log('server', 'at request', early, req.rawTrailers, req.complete);
    req.on('data', (d) => {
      log('server', 'req data', d.toString('latin1'), req.trailers, req.rawTrailers, req.trailers === early);
      if (sendTrailers) { const f = sendTrailers; sendTrailers = null; f(); }
    });
    req.on('end', () => {
      log('server', 'req end', req.trailers, req.rawTrailers, req.trailers === early, early, req.complete);
      res.end('ok');
    });
  });
  const c = connect(server);
  sendTrailers = () => c.write('0\r\nX-Sum: 9\r\nx-sum: 10\r\nX-Other: o\r\n\r\n');
  c.write('POST /t HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n');
  await c.waitFor('\r\n\r\nok');
  c.done();
  log('client', 'bytes', maskDate(await c.closed));
  server.close();
})();

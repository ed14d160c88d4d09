'use strict';
// A chunked response with trailers: res.trailers read at 'response' and at each 'data' is
// an empty object; at 'end' that same object holds the trailers (rawTrailers too). The
// trailer section arrives in a later write, after the client saw the data.
// After test/parallel/test-http-set-trailers.js (client side) and test-http-raw-headers.js.
const http = require('http');
const { rawServer } = require('./lib/raw.js');

(async () => {
  let sendRest;
  const s = rawServer({
    onRequest: (conn) => {
      conn.socket.write('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nTrailer: X-Sum\r\n\r\n4\r\nwiki\r\n');
      sendRest = () => conn.socket.write('0\r\nX-Sum: 9\r\nx-sum: 10\r\nSet-Cookie: a\r\nset-cookie: b\r\n\r\n');
    },
  });
  await s.ready;
  const req = http.get({ host: '127.0.0.1', port: s.port, agent: false }, (res) => {
    const early = res.trailers;
    // copies: raw.js prints the lines at the end, the objects must be logged as they are now
    s.clog('response', res.statusCode, { ...early }, [...res.rawTrailers], res.complete);
    res.on('data', (d) => {
      s.clog('data', d.toString(), { ...res.trailers }, [...res.rawTrailers], res.trailers === early);
      if (sendRest) { const f = sendRest; sendRest = null; f(); }
    });
    res.on('end', () => s.clog('end', res.trailers, res.rawTrailers, res.trailers === early, early, res.complete));
  });
  req.on('close', () => { s.clog('close'); s.finish(); });
})();

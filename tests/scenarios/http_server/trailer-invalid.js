'use strict';
// A Trailer header with an explicit Content-Length: writeHead throws ERR_HTTP_TRAILER_INVALID
// and nothing is sent; the handler then answers normally.
// Port of test/parallel/test-http-server-de-chunked-trailer.js.
const { run, log } = require('./lib/wire.js');

run({
  handler(req, res) {
    try {
      res.writeHead(200, { Trailer: 'X-T', 'Content-Length': '2' });
    } catch (err) {
      log('server', 'writeHead', err, res.headersSent);
    }
    res.end('ok');
  },
  talk: (c) => c.write('GET / HTTP/1.1\r\nHost: x\r\n\r\n'),
});

'use strict';
// An explicit Content-Length: Node writes the body raw (no chunking) across write()s.
// Also removeHeader('Content-Length') on end(data): the body falls back to chunked.
// Port of test/parallel/test-http-content-length.js.
const { run, log } = require('./lib/wire.js');

run({
  expected: 2,
  handler(req, res, n) {
    res.on('finish', () => log('server', 'res finish', n));
    if (n === 0) {
      res.setHeader('Content-Length', 5);
      res.write('he');
      res.end('llo');
    } else {
      res.removeHeader('Content-Length');
      res.end('abc');
    }
    log('server', 'getHeader', n, res.getHeader('Content-Length'));
  },
  talk: (c) => c.write('GET /1 HTTP/1.1\r\nHost: x\r\n\r\nGET /2 HTTP/1.1\r\nHost: x\r\n\r\n'),
});

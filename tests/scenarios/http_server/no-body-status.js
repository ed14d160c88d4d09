'use strict';
// 204 and 304 never carry a body (writes are ignored, no framing header), a 1xx-free
// 204 with an explicit Transfer-Encoding: chunked forces Connection: close.
// Port of test/parallel/test-http-204-response-no-body.js / test-http-304.js.
const { run, log } = require('./lib/wire.js');

run({
  expected: 3,
  handler(req, res, n) {
    log('server', 'request', n, req.url);
    res.on('finish', () => log('server', 'res finish', n));
    if (n === 0) {
      res.statusCode = 204;
      res.end('ignored');
    } else if (n === 1) {
      res.writeHead(304, { ETag: '"abc"' });
      log('server', 'write', n, res.write('ignored'));
      res.end();
    } else {
      res.writeHead(204, { 'Transfer-Encoding': 'chunked' });
      res.end();
    }
  },
  talk: (c) => c.write('GET /204 HTTP/1.1\r\nHost: x\r\n\r\nGET /304 HTTP/1.1\r\nHost: x\r\n\r\n' +
                       'GET /204te HTTP/1.1\r\nHost: x\r\n\r\n'),
});

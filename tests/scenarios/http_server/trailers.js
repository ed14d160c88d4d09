'use strict';
// addTrailers with a declared Trailer header: trailers follow the zero chunk.
// A failed addTrailers call (bad name) is simply replaced by the next call.
// Port of test/parallel/test-http-set-trailers.js.
const { run, log } = require('./lib/wire.js');

run({
  expected: 2,
  handler(req, res, n) {
    res.on('finish', () => log('server', 'res finish', n));
    if (n === 0) {
      res.setHeader('Trailer', 'X-Checksum');
      res.write('data');
      try { res.addTrailers({ 'Bad Name': 'x' }); } catch (err) { log('server', 'addTrailers', err); }
      res.addTrailers({ 'X-Checksum': 'abc', 'X-Multi': ['1', '2'], 'X-Joined': ['j'] });
      res.end();
    } else {
      res.writeHead(200, { 'Content-Length': '2' });
      res.end('ok');
      log('server', 'writeHead', 'content-length ok');
    }
  },
  talk: (c) => c.write('GET /0 HTTP/1.1\r\nHost: x\r\n\r\nGET /1 HTTP/1.1\r\nHost: x\r\n\r\n'),
});

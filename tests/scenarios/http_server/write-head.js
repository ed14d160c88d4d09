'use strict';
// writeHead with a headers object, with a flat array (duplicates kept), with a reason
// phrase, merged with setHeader values; writeHead() then end() gives a chunked empty body;
// invalid status codes throw.
// Port of test/parallel/test-http-write-head.js and test-http-write-head-2.js.
const { run, log } = require('./lib/wire.js');

run({
  expected: 4,
  handler(req, res, n) {
    res.on('finish', () => log('server', 'res finish', n));
    if (n === 0) {
      res.writeHead(200, { 'Content-Type': 'text/plain', 'X-List': ['a', 'b'] });
      res.end('obj');
    } else if (n === 1) {
      res.writeHead(201, 'Made It', ['X-A', '1', 'X-A', '2', 'Content-Length', '3']);
      res.end('arr');
    } else if (n === 2) {
      res.setHeader('X-Set', 's');
      res.setHeader('X-Both', 'from-set');
      res.writeHead(202, { 'X-Both': 'from-head' });
      log('server', 'getHeader', res.getHeader('x-both'));
      res.end();
    } else {
      for (const code of [99, 1000, '20x']) {
        try { res.writeHead(code); } catch (err) { log('server', 'writeHead', String(code), err); }
      }
      res.writeHead(299);
      try { res.writeHead(200); } catch (err) { log('server', 'writeHead twice', err); }
      res.end('x');
    }
  },
  talk: (c) => c.write('GET /0 HTTP/1.1\r\nHost: x\r\n\r\nGET /1 HTTP/1.1\r\nHost: x\r\n\r\n' +
                       'GET /2 HTTP/1.1\r\nHost: x\r\n\r\nGET /3 HTTP/1.1\r\nHost: x\r\n\r\n'),
});

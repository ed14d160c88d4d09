'use strict';
// res.end('hello') as the only write: Node adds Content-Length and keeps the connection alive.
// Port of test/parallel/test-http-content-length.js (implicit Content-Length case).
const { run, log } = require('./lib/wire.js');

run({
  handler(req, res) {
    res.on('finish', () => log('server', 'res finish', res.headersSent, res.writableEnded));
    res.on('close', () => log('server', 'res close'));
    log('server', 'request', req.method, req.url, req.httpVersion);
    res.end('hello');
    log('server', 'after end', res.headersSent, res.getHeader('content-length'));
  },
  talk: (c) => c.write('GET /a HTTP/1.1\r\nHost: x\r\n\r\n'),
});

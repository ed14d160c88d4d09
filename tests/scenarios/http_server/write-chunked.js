'use strict';
// write() three times, then end(): Node frames the body with Transfer-Encoding: chunked;
// an empty write() sends nothing, end() sends the zero chunk.
// Port of test/parallel/test-http-chunked.js.
const { run, log } = require('./lib/wire.js');

run({
  handler(req, res) {
    res.setHeader('Content-Type', 'text/plain');
    log('server', 'write', res.write('one'));
    log('server', 'write', res.write(''));
    log('server', 'write', res.write(Buffer.from('two')));
    log('server', 'write', res.write('three'));
    res.end();
    log('server', 'headersSent', res.headersSent);
  },
  talk: (c) => c.write('GET / HTTP/1.1\r\nHost: x\r\n\r\n'),
});

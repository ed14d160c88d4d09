'use strict';
// HEAD: the body passed to end() is dropped and no Content-Length is added (Node's
// _hasBody is false); a GET for the same resource follows on the same connection.
// Port of test/parallel/test-http-head-response-has-no-body.js.
const { run, log } = require('./lib/wire.js');

run({
  expected: 2,
  handler(req, res, n) {
    log('server', 'request', n, req.method);
    res.on('finish', () => log('server', 'res finish', n));
    log('server', 'write', n, res.write('hello'));
    res.end(' world');
  },
  talk: (c) => c.write('HEAD / HTTP/1.1\r\nHost: x\r\n\r\nGET / HTTP/1.1\r\nHost: x\r\n\r\n'),
});

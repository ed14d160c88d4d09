'use strict';
// Two pipelined requests in one write on one socket: both are served in order on the
// same connection; the second response waits for the first to finish.
// Port of test/parallel/test-http-pipeline-requests-connection-leak.js (pipelining part).
const { run, log } = require('./lib/wire.js');

const pending = [];
run({
  expected: 2,
  handler(req, res, n) {
    log('server', 'request', n, req.url, n === 0 || req.socket === pending[0].socket);
    res.on('finish', () => log('server', 'res finish', n));
    res.on('close', () => log('server', 'res close', n));
    pending.push(res);
    if (n === 1) {
      // answer the second one first: Node still sends the responses in request order
      pending[1].end('second');
      setImmediate(() => pending[0].end('first'));
    }
  },
  talk: (c) => c.write('GET /1 HTTP/1.1\r\nHost: x\r\n\r\nGET /2 HTTP/1.1\r\nHost: x\r\n\r\n'),
});

'use strict';
// res.end(a) then res.end(b): the first response stands and nothing of b is sent.
// - end(b, cb): cb gets ERR_STREAM_WRITE_AFTER_END on a later tick, then 'error' is emitted;
// - end(b) without a callback: the same 'error';
// - end(cb) without data, once the response's bytes went to the socket: cb gets
//   ERR_STREAM_ALREADY_FINISHED at once (before 'finish' is emitted), nothing is emitted;
// - in the first end's callback (after 'finish'): end(cb) calls back ERR_STREAM_ALREADY_FINISHED
//   at once; end(c, cb) calls back ERR_STREAM_WRITE_AFTER_END on a later tick, when the
//   response is destroyed, so no 'error' follows.
// One request at a time on a keep-alive connection.
// After test/parallel/test-http-outgoing-end-multiple.js and test-http-res-write-after-end.js.
const { run, log } = require('./lib/wire.js');

run({
  expected: 4,
  handler: (req, res, n) => {
    res.on('error', (e) => log('server', n, 'res error', e, e.message));
    res.on('finish', () => log('server', n, 'res finish'));
    if (n === 0) {
      res.end(`a${n}`);
      const ret = res.end('b', (e) => log('server', n, 'end(b) callback', e));
      log('server', n, 'end(b) returned res', ret === res, res.writableEnded);
    } else if (n === 1) {
      res.end(`a${n}`);
      res.end('b');
      log('server', n, 'end(b) without callback', res.writableEnded);
    } else if (n === 2) {
      res.end(`a${n}`);
      res.end((e) => log('server', n, 'end() callback', e === undefined ? 'undefined' : e));
      log('server', n, 'end() after end', res.writableFinished);
    } else {
      res.end(`a${n}`, () => {
        log('server', n, 'first end callback', res.writableFinished, res.destroyed);
        res.end((e) => log('server', n, 'end() after finish callback', e));
        res.end('c', (e) => log('server', n, 'end(c) after finish callback', e, res.destroyed));
      });
    }
  },
  // one request at a time, so that each response's events stand on their own
  talk: async (c) => {
    for (let n = 0; n < 4; n++) {
      c.write(`GET /${n} HTTP/1.1\r\nHost: x\r\n\r\n`);
      await c.waitFor(`\r\n\r\na${n}`);
    }
  },
});

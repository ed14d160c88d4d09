// Port of test/parallel/test-stream2-writable.js ('write after end should be an error') and
// test-stream-writable-write-error.js: write() after end() calls back with
// ERR_STREAM_WRITE_AFTER_END before 'error' is emitted, then 'close'.
'use strict';
const { Writable } = require('stream');
const { log } = require('../lib/log.js');
const tick = () => new Promise((resolve) => setImmediate(resolve));

(async () => {
  const w = new Writable({
    highWaterMark: 16,
    write(chunk, encoding, cb) {
      log('_write', chunk);
      cb();
    },
  });
  w.on('finish', () => log('finish'));
  w.on('error', (e) => log('error', e));
  w.on('close', () => log('close'));
  w.end('a');
  const ret = w.write('b', (err) => log('write cb', err));
  log('write returned', ret, w.destroyed);
})();

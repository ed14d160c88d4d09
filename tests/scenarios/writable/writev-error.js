// Port of test/parallel/test-stream-writev.js and test-stream-writable-write-cb-error.js (batched):
// an error from _writev reaches every callback of the batch, then 'error' and 'close'.
'use strict';
const { Writable } = require('stream');
const { log } = require('../lib/log.js');
const tick = () => new Promise((resolve) => setImmediate(resolve));

(async () => {
  const w = new Writable({
    highWaterMark: 100,
    write(chunk, encoding, cb) {
      log('_write', chunk);
      cb();
    },
    writev(chunks, cb) {
      log('_writev', chunks.map((c) => c.chunk));
      process.nextTick(cb, new Error('writev failed'));
    },
  });
  w.on('error', (e) => log('error', e, w.writableLength));
  w.on('finish', () => log('finish'));
  w.on('close', () => log('close'));
  w.cork();
  w.write('a', (err) => log('cb a', err));
  w.write('b', (err) => log('cb b', err));
  w.write('c', (err) => log('cb c', err));
  w.uncork();
  log('uncorked', w.writableLength);
  w.write('d', (err) => log('cb d', err));
  log('buffered', w.writableLength);
})();

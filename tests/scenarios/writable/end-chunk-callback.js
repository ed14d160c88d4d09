// Port of test/parallel/test-stream-writable-end-cb-error.js and test-stream-writable-finished.js:
// end(chunk, cb) writes the chunk, then 'prefinish', end's callback, 'finish' and 'close'.
'use strict';
const { Writable } = require('stream');
const { log } = require('../lib/log.js');
const tick = () => new Promise((resolve) => setImmediate(resolve));

(async () => {
  const w = new Writable({
    highWaterMark: 16,
    write(chunk, encoding, cb) {
      log('_write', chunk);
      process.nextTick(cb);
    },
  });
  w.on('prefinish', () => log('prefinish'));
  w.on('finish', () => log('finish', w.writableFinished));
  w.on('close', () => log('close', w.closed, w.destroyed));
  log('write', w.write('a', () => log('write cb')));
  const r = w.end('b', () => log('end cb', w.writableFinished));
  log('end returned self', r === w, w.writableEnded, w.writableFinished, w.writable);
})();

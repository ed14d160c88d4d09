// Port of test/parallel/test-stream2-writable.js (objectMode): highWaterMark counts objects,
// whatever their size; writableLength counts them too.
'use strict';
const { Writable } = require('stream');
const { log } = require('../lib/log.js');
const tick = () => new Promise((resolve) => setImmediate(resolve));

(async () => {
  const pending = [];
  const w = new Writable({
    objectMode: true,
    highWaterMark: 2,
    write(chunk, encoding, cb) {
      log('_write', chunk, encoding);
      pending.push(cb);
    },
  });
  w.on('drain', () => log('drain', w.writableLength));
  log('props', w.writableObjectMode, w.writableHighWaterMark);
  log('write', w.write({ a: 1 }), w.writableLength);
  log('write', w.write('a long string that is not one byte'), w.writableLength);
  log('write', w.write(0), w.writableLength);
  log('write', w.write(false), w.writableLength);
  log('write', w.write([1, 2]), w.writableLength);
  await tick();
  while (pending.length > 0) {
    pending.shift()();
    log('called back', w.writableLength);
    await tick();
  }
})();

// Port of test/parallel/test-stream-writable-finished-state.js, test-stream-writable-ended-state.js
// and test-stream-writable-writable.js: writable, writableEnded, writableFinished, writableCorked,
// destroyed, closed through the life of a stream.
'use strict';
const { Writable } = require('stream');
const { log } = require('../lib/log.js');
const tick = () => new Promise((resolve) => setImmediate(resolve));

(async () => {
  const w = new Writable({
    highWaterMark: 100,
    write(chunk, encoding, cb) {
      log('_write', w.writableEnded, w.writableFinished);
      process.nextTick(cb);
    },
  });
  const snap = (label) =>
    log(label, {
      writable: w.writable,
      ended: w.writableEnded,
      finished: w.writableFinished,
      corked: w.writableCorked,
      length: w.writableLength,
      destroyed: w.destroyed,
      closed: w.closed,
      needDrain: w.writableNeedDrain,
      hwm: w.writableHighWaterMark,
    });
  snap('new');
  w.cork();
  snap('corked');
  w.write('abc');
  w.uncork();
  snap('written');
  w.on('finish', () => snap('finish'));
  w.on('close', () => snap('close'));
  w.end(() => snap('end cb'));
  snap('ended');
})();

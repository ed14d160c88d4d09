// Port of test/parallel/test-stream-writable-needdrain-state.js and test-stream2-writable.js:
// write() return value against highWaterMark in bytes, writableLength and writableNeedDrain while
// _write callbacks are held, and 'drain' once the buffer empties.
'use strict';
const { Writable } = require('stream');
const { log } = require('../lib/log.js');
const tick = () => new Promise((resolve) => setImmediate(resolve));

(async () => {
  const pending = [];
  const w = new Writable({
    highWaterMark: 5,
    write(chunk, encoding, cb) {
      log('_write', chunk, encoding, w.writableLength);
      pending.push(cb);
    },
  });
  w.on('drain', () => log('drain', w.writableLength, w.writableNeedDrain));
  log('write', w.write(Buffer.from('ab')), w.writableLength, w.writableNeedDrain);
  log('write', w.write(Buffer.from('cd')), w.writableLength, w.writableNeedDrain);
  log('write', w.write(Buffer.from('e')), w.writableLength, w.writableNeedDrain);
  log('write', w.write(Buffer.from('fgh')), w.writableLength, w.writableNeedDrain);
  await tick();
  while (pending.length > 0) {
    pending.shift()();
    log('called back', w.writableLength, w.writableNeedDrain);
    await tick();
  }
  log('write', w.write(Buffer.from('12345')), w.writableLength, w.writableNeedDrain);
  await tick();
  pending.shift()();
  await tick();
  log('done', w.writableLength, w.writableNeedDrain);
})();

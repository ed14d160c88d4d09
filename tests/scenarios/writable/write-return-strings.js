// Port of test/parallel/test-stream2-writable.js (write() with strings): a string counts its
// encoded byte length against highWaterMark, in the given or default encoding.
'use strict';
const { Writable } = require('stream');
const { log } = require('../lib/log.js');
const tick = () => new Promise((resolve) => setImmediate(resolve));

(async () => {
  const pending = [];
  const w = new Writable({
    highWaterMark: 6,
    write(chunk, encoding, cb) {
      log('_write', chunk, encoding);
      pending.push(cb);
    },
  });
  log('write', w.write('h\u00e9'), w.writableLength);
  log('write', w.write('\u20ac'), w.writableLength);
  log('write', w.write('ff', 'hex'), w.writableLength);
  log('write', w.write('aGk=', 'base64'), w.writableLength);
  log('needDrain', w.writableNeedDrain);
  w.on('drain', () => log('drain', w.writableLength));
  await tick();
  while (pending.length > 0) {
    pending.shift()();
    await tick();
  }
  log('done', w.writableLength);
})();

// Port of test/parallel/test-stream-writableState-uncorked-bufferedRequestCount.js (accounting):
// writableLength includes the chunk being written and the buffered ones until each callback.
'use strict';
const { Writable } = require('stream');
const { log } = require('../lib/log.js');
const tick = () => new Promise((resolve) => setImmediate(resolve));

(async () => {
  const pending = [];
  const w = new Writable({
    highWaterMark: 100,
    write(chunk, encoding, cb) {
      log('_write', chunk, w.writableLength);
      pending.push(cb);
    },
  });
  w.write('aaa');
  log('length', w.writableLength);
  w.write('bb');
  log('length', w.writableLength);
  w.write('c');
  log('length', w.writableLength);
  await tick();
  log('length', w.writableLength);
  while (pending.length > 0) {
    pending.shift()();
    log('length', w.writableLength);
    await tick();
  }
  w.end();
  await tick();
  log('end', w.writableLength, w.writableFinished);
})();

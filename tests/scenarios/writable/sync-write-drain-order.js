// Port of test/parallel/test-stream-writable-samecb-singletick.js and test-stream-write-drain.js:
// with a synchronous _write callback, write() stays true and write callbacks are deferred to the
// next tick; after a corked burst past highWaterMark, 'drain' is emitted before those callbacks run.
'use strict';
const { Writable } = require('stream');
const { log } = require('../lib/log.js');
const tick = () => new Promise((resolve) => setImmediate(resolve));

(async () => {
  const w = new Writable({
    highWaterMark: 3,
    write(chunk, encoding, cb) {
      log('_write', chunk);
      cb();
    },
  });
  w.on('drain', () => log('drain', w.writableLength));
  log('write', w.write(Buffer.from('abc'), () => log('cb', 1)), w.writableLength);
  log('write', w.write(Buffer.from('de'), () => log('cb', 2)), w.writableLength);
  log('write', w.write(Buffer.from('fghij'), () => log('cb', 3)), w.writableLength);
  log('sync part over', w.writableNeedDrain);
  process.nextTick(() => log('nextTick queued after writes'));
  await tick();
  log('step');
  w.cork();
  log('write', w.write(Buffer.from('xy'), () => log('cb', 4)), w.writableLength);
  log('write', w.write(Buffer.from('z'), () => log('cb', 5)), w.writableLength);
  log('write', w.write(Buffer.from('w'), () => log('cb', 6)), w.writableLength, w.writableNeedDrain);
  w.uncork();
  log('uncorked', w.writableLength, w.writableNeedDrain);
  await tick();
  log('done', w.writableNeedDrain);
})();

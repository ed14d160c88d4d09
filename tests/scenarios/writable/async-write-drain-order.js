// Port of test/parallel/test-stream2-writable.js (write callbacks in order, drain): with a
// callback that runs later, each write callback runs synchronously inside it, after 'drain'.
'use strict';
const { Writable } = require('stream');
const { log } = require('../lib/log.js');
const tick = () => new Promise((resolve) => setImmediate(resolve));

(async () => {
  const pending = [];
  const w = new Writable({
    highWaterMark: 2,
    write(chunk, encoding, cb) {
      log('_write', chunk);
      pending.push(cb);
    },
  });
  w.on('drain', () => log('drain'));
  log('write', w.write(Buffer.from('a'), () => log('cb', 'a')));
  log('write', w.write(Buffer.from('b'), () => log('cb', 'b')));
  log('write', w.write(Buffer.from('c'), () => log('cb', 'c')));
  await tick();
  while (pending.length > 0) {
    log('release');
    pending.shift()();
    log('released');
    await tick();
  }
})();

'use strict';
// Port of test/parallel/test-stream-pipe-await-drain.js: the source waits for every slow destination's 'drain'.
const { log } = require('../lib/log.js');
const { Readable, Writable } = require('stream');

const reader = new Readable({ read() {}, highWaterMark: 4 });
const held = [];
const mk = (name, slow) => new Writable({
  highWaterMark: 4,
  write(c, e, cb) {
    log('write', name, c.length, reader._readableState.awaitDrainWriters ? reader._readableState.awaitDrainWriters.size : null);
    if (slow) held.push(cb); else process.nextTick(cb);
  },
});
const w1 = mk('w1', false);
const w2 = mk('w2', true);
reader.pipe(w1);
reader.pipe(w2);
w1.on('drain', () => log('drain', 'w1'));
w2.on('drain', () => log('drain', 'w2'));
reader.push(Buffer.alloc(10));
setImmediate(() => {
  reader.push(Buffer.alloc(3));
  log('paused', reader.isPaused(), reader.readableLength);
  setImmediate(() => {
    held.splice(0).forEach((cb) => cb());
    setImmediate(() => {
      log('paused', reader.isPaused(), reader.readableLength);
      held.splice(0).forEach((cb) => cb());
    });
  });
});

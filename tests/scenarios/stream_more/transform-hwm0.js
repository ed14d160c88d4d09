'use strict';
// Port of test/parallel/test-stream-transform-hwm0.js: an object Transform with
// highWaterMark 0 returns false from write(), drains, and hands out one object per 'readable'.
const { Transform } = require('stream');
const { log } = require('../lib/log.js');

const t = new Transform({
  objectMode: true,
  highWaterMark: 0,
  transform(chunk, enc, callback) {
    log('_transform', chunk);
    process.nextTick(() => callback(null, chunk, enc));
  },
});
log('write 1', t.write(1));
t.on('drain', () => {
  log('drain');
  log('write 2', t.write(2));
  t.end();
});
t.once('readable', () => {
  log('readable 1 read', t.read());
  setImmediate(() => {
    log('later read', t.read());
    t.once('readable', () => log('readable 2 read', t.read()));
  });
});

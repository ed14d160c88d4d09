'use strict';
// Port of test/parallel/test-stream-readable-reading-readingMore.js: when and
// with which size _read is called while paused and flowing.
const { Readable } = require('stream');
const { log } = require('../lib/log.js');

let n = 0;
const r = new Readable({
  highWaterMark: 10,
  read(size) {
    n++;
    log('_read', n, size, r.readableLength);
    if (n <= 6) {
      process.nextTick(() => log('push', this.push('abc'), r.readableLength));
    } else {
      process.nextTick(() => this.push(null));
    }
  },
});
log('created');
setImmediate(() => {
  log('no call without a reader', n);
  log('read0', r.read(0));
  setImmediate(() => {
    log('length', r.readableLength);
    r.on('data', (c) => log('data', c));
    r.on('end', () => log('end', n));
  });
});

'use strict';
// Port of test/parallel/test-stream-readable-needReadable.js / test-stream2-push.js:
// read(0) only triggers _read; it never consumes and returns null.
const { Readable } = require('stream');
const { log } = require('../lib/log.js');

const r = new Readable({
  highWaterMark: 8,
  read(n) {
    log('_read', n);
    this.push('abc');
  },
});
r.on('readable', () => log('readable', r.readableLength));
log('read0', r.read(0), r.readableLength);
setImmediate(() => {
  log('length', r.readableLength);
  log('read0', r.read(0), r.readableLength);
  setImmediate(() => {
    log('length', r.readableLength);
    log('read', r.read(), r.readableLength);
    setImmediate(() => log('length', r.readableLength));
  });
});

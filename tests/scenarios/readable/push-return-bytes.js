'use strict';
// Port of test/parallel/test-stream2-push.js and test-stream-push-order.js:
// push() returns false once readableLength reaches highWaterMark (byte mode).
const { Readable } = require('stream');
const { log } = require('../lib/log.js');

const r = new Readable({ highWaterMark: 4, read(n) { log('_read', n); } });
log('push ab', r.push('ab'), r.readableLength);
log('push c', r.push('c'), r.readableLength);
log('push d', r.push('d'), r.readableLength);
log('push e', r.push('e'), r.readableLength);
log('push empty', r.push(''), r.readableLength);
log('push empty buf', r.push(Buffer.alloc(0)), r.readableLength);
setImmediate(() => {
  log('read', r.read(), r.readableLength);
  setImmediate(() => {
    log('push f', r.push(Buffer.from('f')), r.readableLength);
    log('push null', r.push(null), r.readableLength);
    log('read', r.read(), r.readableLength);
  });
});

'use strict';
// Port of test/parallel/test-stream2-objects.js: push() return value and
// readableLength counted in objects in objectMode.
const { Readable } = require('stream');
const { log } = require('../lib/log.js');

const r = new Readable({ objectMode: true, highWaterMark: 2, read(n) { log('_read', n); } });
log('hwm', r.readableHighWaterMark, r.readableObjectMode);
log('push a', r.push('a'), r.readableLength);
log('push 0', r.push(0), r.readableLength);
log('push false', r.push(false), r.readableLength);
log('push empty', r.push(''), r.readableLength);
setImmediate(() => {
  log('read', r.read(), r.readableLength);
  log('read', r.read(), r.readableLength);
  log('read 5', r.read(5), r.readableLength);
  setImmediate(() => {
    log('read', r.read(), r.readableLength);
    log('push null', r.push(null));
    log('read', r.read(), r.readableLength);
    r.on('end', () => log('end'));
  });
});

const z = new Readable({ objectMode: true, highWaterMark: 0, read() {} });
log('hwm0 push', z.push({ x: 1 }), z.readableLength);

'use strict';
// Port of test/parallel/test-stream-push-order.js: two pushes per _read, read(0)
// fills the buffer up to highWaterMark in order.
const { Readable } = require('stream');
const { log } = require('../lib/log.js');

const s = new Readable({ highWaterMark: 20, encoding: 'ascii' });
const list = ['1', '2', '3', '4', '5', '6'];
s._read = function(n) {
  log('_read', n, s.readableLength);
  const one = list.shift();
  if (!one) {
    s.push(null);
  } else {
    const two = list.shift();
    log('push', one, s.push(one));
    log('push', two, s.push(two));
  }
};
log('read0', s.read(0));
setImmediate(() => {
  log('length', s.readableLength, s.readableEnded);
  s.on('end', () => log('end'));
  log('read', s.read());
  log('read', s.read());
});

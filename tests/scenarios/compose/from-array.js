'use strict';
// Port of test/parallel/test-readable-from.js (arrays and sync generators): object mode, hwm 1, order of events.
const { log } = require('../lib/log.js');
const { Readable } = require('stream');

const r = Readable.from(['a', 'b', 'c']);
log('props', r.readableObjectMode, r.readableHighWaterMark);
r.on('data', (c) => log('data', c));
r.on('end', () => log('end'));
r.on('close', () => {
  log('close');
  let pulled = 0;
  function* gen() { for (let i = 0; i < 10; i++) { pulled++; yield i; } }
  const g = Readable.from(gen(), { highWaterMark: 3 });
  g.on('readable', () => {
    log('readable', pulled, g.readableLength);
    setImmediate(() => {
      log('read', g.read(), pulled);
      g.destroy();
      g.on('close', () => log('g-close', pulled));
    });
  });
});

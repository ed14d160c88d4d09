// Port of test/parallel/test-stream-transform-final.js and test-stream-transform-final-sync.js:
// order of _transform, 'prefinish', _flush, 'finish', 'data', 'end' and 'close' when the readable
// side is consumed as soon as it can be.
'use strict';
const { Duplex, Transform, PassThrough } = require('stream');
const { log } = require('../lib/log.js');
const tick = () => new Promise((resolve) => setImmediate(resolve));

(async () => {
  const t = new Transform({
    highWaterMark: 100,
    transform(chunk, encoding, cb) {
      log('_transform', chunk);
      process.nextTick(cb, null, chunk);
    },
    flush(cb) {
      log('_flush');
      process.nextTick(() => {
        this.push('flushed');
        cb();
      });
    },
  });
  t.on('prefinish', () => log('prefinish'));
  t.on('finish', () => log('finish'));
  t.on('data', (c) => log('data', c));
  t.on('end', () => log('end'));
  t.on('close', () => log('close'));
  t.write('a');
  t.end('b', () => log('end cb'));
  log('sync over');
})();

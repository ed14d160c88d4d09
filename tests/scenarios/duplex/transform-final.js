// Port of test/parallel/test-stream-transform-final.js: a Transform with both _final and _flush:
// _final runs first, then _flush; 'finish' after _final's callback.
'use strict';
const { Duplex, Transform, PassThrough } = require('stream');
const { log } = require('../lib/log.js');
const tick = () => new Promise((resolve) => setImmediate(resolve));

(async () => {
  const t = new Transform({
    highWaterMark: 100,
    transform(chunk, encoding, cb) {
      log('_transform', chunk);
      cb(null, chunk);
    },
    final(cb) {
      log('_final');
      process.nextTick(cb);
    },
    flush(cb) {
      log('_flush');
      cb(null, 'z');
    },
  });
  t.on('prefinish', () => log('prefinish'));
  t.on('finish', () => log('finish'));
  t.on('data', (c) => log('data', c));
  t.on('end', () => log('end'));
  t.on('close', () => log('close'));
  t.end('a');
})();

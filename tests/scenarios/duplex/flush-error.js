// Port of test/parallel/test-stream-transform-flush-data.js / test-stream2-transform.js (flush error):
// an error from _flush destroys the stream: 'error', 'close', then end's callback; no 'prefinish',
// 'finish' or 'end'.
'use strict';
const { Duplex, Transform, PassThrough } = require('stream');
const { log } = require('../lib/log.js');
const tick = () => new Promise((resolve) => setImmediate(resolve));

(async () => {
  const t = new Transform({
    highWaterMark: 100,
    transform(chunk, encoding, cb) {
      cb(null, chunk);
    },
    flush(cb) {
      log('_flush');
      cb(new Error('flush failed'));
    },
  });
  t.on('data', (c) => log('data', c));
  t.on('prefinish', () => log('prefinish'));
  t.on('finish', () => log('finish'));
  t.on('end', () => log('end'));
  t.on('error', (e) => log('error', e));
  t.on('close', () => log('close'));
  t.end('x', (err) => log('end cb', err));
})();

// Port of test/parallel/test-stream-transform-destroy.js and test-stream2-transform.js (error):
// an error passed to the transform callback destroys the stream: 'error' then 'close'.
'use strict';
const { Duplex, Transform, PassThrough } = require('stream');
const { log } = require('../lib/log.js');
const tick = () => new Promise((resolve) => setImmediate(resolve));

(async () => {
  const t = new Transform({
    highWaterMark: 100,
    transform(chunk, encoding, cb) {
      log('_transform', chunk);
      if (chunk.toString() === 'bad') cb(new Error('transform failed'));
      else cb(null, chunk);
    },
  });
  t.on('data', (c) => log('data', c));
  t.on('end', () => log('end'));
  t.on('finish', () => log('finish'));
  t.on('error', (e) => log('error', e, t.destroyed));
  t.on('close', () => log('close'));
  t.write('ok', (err) => log('cb ok', err));
  t.write('bad', (err) => log('cb bad', err));
  t.write('after', (err) => log('cb after', err));
  log('sync over');
})();

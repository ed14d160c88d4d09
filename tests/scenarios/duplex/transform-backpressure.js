// Port of test/parallel/test-stream-transform-split-highwatermark.js and test-stream2-transform.js
// (back-pressure): when nobody reads, the readable side fills to its highWaterMark, _transform
// stops being called, and write() returns false; reading releases it.
'use strict';
const { Duplex, Transform, PassThrough } = require('stream');
const { log } = require('../lib/log.js');
const tick = () => new Promise((resolve) => setImmediate(resolve));

(async () => {
  const t = new Transform({
    readableHighWaterMark: 4,
    writableHighWaterMark: 4,
    transform(chunk, encoding, cb) {
      log('_transform', chunk, this.readableLength);
      cb(null, chunk);
    },
  });
  t.on('drain', () => log('drain'));
  for (const c of ['aa', 'bb', 'cc', 'dd', 'ee']) {
    log('write', c, t.write(c), t.writableLength, t.readableLength);
  }
  await tick();
  log('settled', t.writableLength, t.readableLength);
  log('read', t.read(2));
  await tick();
  log('after read', t.writableLength, t.readableLength);
  log('read', t.read());
  await tick();
  log('after read all', t.writableLength, t.readableLength);
  t.on('data', (c) => log('data', c));
  await tick();
  log('flowing', t.writableLength, t.readableLength);
})();

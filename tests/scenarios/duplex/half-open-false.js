// Port of test/parallel/test-stream-duplex-end.js and test-stream-duplex-readable-end.js:
// with allowHalfOpen:false, the end of the readable side ends the writable side.
'use strict';
const { Duplex, Transform, PassThrough } = require('stream');
const { log } = require('../lib/log.js');
const tick = () => new Promise((resolve) => setImmediate(resolve));

(async () => {
  const d = new Duplex({
    allowHalfOpen: false,
    highWaterMark: 100,
    read() {},
    write(chunk, encoding, cb) {
      log('_write', chunk);
      cb();
    },
  });
  log('allowHalfOpen', d.allowHalfOpen);
  d.on('data', (c) => log('data', c));
  d.on('end', () => log('end', d.writableEnded));
  d.on('finish', () => log('finish'));
  d.on('close', () => log('close'));
  d.write('w1');
  d.push('r1');
  d.push(null);
  await tick();
  log('after tick', d.readableEnded, d.writableEnded, d.writableFinished, d.writable);
})();

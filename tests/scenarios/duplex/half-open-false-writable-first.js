// Port of test/parallel/test-stream-duplex-end.js (allowHalfOpen:false, writable side first):
// ending the writable side alone does not end the readable side.
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
      cb();
    },
  });
  d.on('end', () => log('end'));
  d.on('finish', () => log('finish'));
  d.on('close', () => log('close'));
  d.resume();
  d.end('x');
  await tick();
  log('after finish', d.readableEnded, d.destroyed, d.readable);
  d.push(null);
})();

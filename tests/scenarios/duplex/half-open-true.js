// Port of test/parallel/test-stream-duplex-end.js (allowHalfOpen default): the readable side
// ending leaves the writable side open; 'close' only after both sides are done.
'use strict';
const { Duplex, Transform, PassThrough } = require('stream');
const { log } = require('../lib/log.js');
const tick = () => new Promise((resolve) => setImmediate(resolve));

(async () => {
  const d = new Duplex({
    highWaterMark: 100,
    read() {},
    write(chunk, encoding, cb) {
      log('_write', chunk);
      cb();
    },
  });
  log('allowHalfOpen', d.allowHalfOpen);
  d.on('data', (c) => log('data', c));
  d.on('end', () => log('end'));
  d.on('finish', () => log('finish'));
  d.on('close', () => log('close'));
  d.push('r1');
  d.push(null);
  await tick();
  log('after read end', d.readableEnded, d.writableEnded, d.writable, d.destroyed);
  log('write', d.write('late'));
  await tick();
  d.end();
  log('end called');
})();

// Port of test/parallel/test-stream-passthrough-drain.js: a PassThrough fills, write() returns
// false, and reading everything out emits 'drain'.
'use strict';
const { Duplex, Transform, PassThrough } = require('stream');
const { log } = require('../lib/log.js');
const tick = () => new Promise((resolve) => setImmediate(resolve));

(async () => {
  const p = new PassThrough({ highWaterMark: 3 });
  p.on('drain', () => log('drain', p.writableLength, p.readableLength));
  log('write', p.write('ab'), p.writableLength, p.readableLength);
  log('write', p.write('cd'), p.writableLength, p.readableLength);
  log('write', p.write('ef'), p.writableLength, p.readableLength);
  log('needDrain', p.writableNeedDrain);
  await tick();
  log('read', p.read());
  await tick();
  log('read', p.read());
  await tick();
  log('left', p.writableLength, p.readableLength);
})();

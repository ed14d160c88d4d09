// Port of test/parallel/test-stream-writable-finish-destroyed.js: a stream destroyed after end()
// (or with a write in flight) never emits 'finish', even when the pending callback runs at 'close'.
'use strict';
const { Writable } = require('stream');
const { log } = require('../lib/log.js');
const tick = () => new Promise((resolve) => setImmediate(resolve));

(async () => {
  const a = new Writable({
    highWaterMark: 100,
    write(chunk, encoding, cb) {
      log('a _write', chunk);
      a.on('close', () => {
        log('a close, calling back');
        cb();
      });
    },
  });
  a.on('finish', () => log('a finish'));
  a.end('asd', (err) => log('a end cb', err));
  a.destroy();
  await tick();
  const b = new Writable({
    highWaterMark: 100,
    write(chunk, encoding, cb) {
      log('b _write', chunk);
      b.on('close', () => {
        log('b close, calling back');
        cb();
        b.end((err) => log('b end cb', err));
      });
    },
  });
  b.on('finish', () => log('b finish'));
  b.write('asd', (err) => log('b write cb', err));
  b.destroy();
  await tick();
  const c = new Writable({ highWaterMark: 100, write() {} });
  c.on('finish', () => log('c finish'));
  c.on('close', () => log('c close'));
  c.end();
  c.destroy();
  log('c sync over');
})();

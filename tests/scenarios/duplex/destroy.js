// Port of test/parallel/test-stream-duplex-destroy.js: destroy(err) on a Duplex calls _destroy
// once, emits 'error' then one 'close', and both sides report destroyed; no 'end'/'finish'.
'use strict';
const { Duplex, Transform, PassThrough } = require('stream');
const { log } = require('../lib/log.js');
const tick = () => new Promise((resolve) => setImmediate(resolve));

(async () => {
  const d = new Duplex({
    highWaterMark: 100,
    read() {},
    write(chunk, encoding, cb) {
      cb();
    },
    destroy(err, cb) {
      log('_destroy', err);
      cb(err);
    },
  });
  d.resume();
  d.on('end', () => log('end'));
  d.on('finish', () => log('finish'));
  d.on('error', (e) => log('error', e));
  d.on('close', () => log('close', d.readable, d.writable, d.destroyed));
  d.destroy(new Error('kaboom'));
  d.destroy(new Error('second'));
  log('sync', d.destroyed, d.readable, d.writable, d.errored !== null);
  await tick();
  const q = new Duplex({ highWaterMark: 100, read() {}, write(c, e, cb) { cb(); } });
  q.on('error', (e) => log('q error', e));
  q.on('close', () => log('q close'));
  q.destroy();
})();

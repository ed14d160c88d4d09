// Port of test/parallel/test-stream-writable-final-throw.js / test-stream-write-final.js
// (error path): _final calling back with an error emits 'error' and 'close', never 'finish'.
'use strict';
const { Writable } = require('stream');
const { log } = require('../lib/log.js');
const tick = () => new Promise((resolve) => setImmediate(resolve));

(async () => {
  const w = new Writable({
    highWaterMark: 16,
    write(chunk, encoding, cb) {
      cb();
    },
    final(cb) {
      log('_final');
      process.nextTick(cb, new Error('final failed'));
    },
  });
  w.on('prefinish', () => log('prefinish'));
  w.on('finish', () => log('finish'));
  w.on('error', (e) => log('error', e, w.errored === e, w.destroyed));
  w.on('close', () => log('close', w.writableFinished));
  w.end('x', (err) => log('end cb', err));
})();

// Port of test/parallel/test-stream-writable-final-async.js: 'finish' waits for a delayed
// _final callback; writableFinished stays false meanwhile.
'use strict';
const { Writable } = require('stream');
const { log } = require('../lib/log.js');
const tick = () => new Promise((resolve) => setImmediate(resolve));

(async () => {
  let finalCb;
  const w = new Writable({
    highWaterMark: 16,
    write(chunk, encoding, cb) {
      log('_write', chunk);
      cb();
    },
    final(cb) {
      log('_final');
      finalCb = cb;
    },
  });
  w.on('prefinish', () => log('prefinish'));
  w.on('finish', () => log('finish'));
  w.on('close', () => log('close'));
  w.end('x');
  await tick();
  await tick();
  log('before final cb', w.writableEnded, w.writableFinished);
  finalCb();
  log('after final cb', w.writableFinished);
})();

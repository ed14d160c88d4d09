// Port of test/parallel/test-stream-write-final.js and test-stream-transform-final-sync.js:
// a _final that calls back synchronously; order of 'prefinish', _final, 'finish', 'close'.
'use strict';
const { Writable } = require('stream');
const { log } = require('../lib/log.js');
const tick = () => new Promise((resolve) => setImmediate(resolve));

(async () => {
  const w = new Writable({
    highWaterMark: 16,
    write(chunk, encoding, cb) {
      log('_write', chunk);
      cb();
    },
    final(cb) {
      log('_final', w.writableEnded, w.writableFinished);
      cb();
      log('_final returned');
    },
  });
  w.on('prefinish', () => log('prefinish'));
  w.on('finish', () => log('finish', w.writableFinished));
  w.on('close', () => log('close'));
  w.write('x');
  w.end(() => log('end cb'));
  log('sync over');
})();

// Port of test/parallel/test-stream-writable-write-cb-twice.js: calling the _write callback a
// second time emits 'error' with ERR_MULTIPLE_CALLBACK.
'use strict';
const { Writable } = require('stream');
const { log } = require('../lib/log.js');
const tick = () => new Promise((resolve) => setImmediate(resolve));

(async () => {
  const w = new Writable({
    highWaterMark: 16,
    write(chunk, encoding, cb) {
      cb();
      cb();
    },
  });
  w.on('error', (e) => log('error', e, w.destroyed));
  w.on('close', () => log('close'));
  w.write('asd', () => log('write cb'));
  log('sync over');
})();

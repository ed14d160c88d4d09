// Port of test/parallel/test-stream-writable-end-multiple.js: end(cb) with no chunk, a second
// end(cb) while finishing, and end(cb) after 'finish' (gets ERR_STREAM_ALREADY_FINISHED).
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
  });
  w.on('finish', () => log('finish'));
  w.on('close', () => log('close'));
  w.on('error', (e) => log('error', e));
  w.end(() => log('end cb 1'));
  w.end((err) => log('end cb 2', err));
  log('sync over');
  await tick();
  w.end((err) => log('end cb 3', err));
  log('after third end');
})();

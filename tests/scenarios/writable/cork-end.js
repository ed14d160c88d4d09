// Port of test/parallel/test-stream-writev.js (end while corked) and test-stream-writable-write-writev-finish.js:
// end() on a corked stream uncorks it: one _writev with everything, then 'finish'.
'use strict';
const { Writable } = require('stream');
const { log } = require('../lib/log.js');
const tick = () => new Promise((resolve) => setImmediate(resolve));

(async () => {
  const w = new Writable({
    highWaterMark: 100,
    write(chunk, encoding, cb) {
      log('_write', chunk);
      cb();
    },
    writev(chunks, cb) {
      log('_writev', chunks.map((c) => c.chunk), w.writableCorked);
      cb();
    },
  });
  w.on('finish', () => log('finish', w.writableCorked));
  w.cork();
  w.cork();
  w.write('a');
  w.write('b');
  w.end('c', () => log('end cb'));
  log('after end', w.writableCorked, w.writableLength);
})();

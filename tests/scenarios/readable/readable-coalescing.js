'use strict';
// Port of test/parallel/test-stream-readable-emittedReadable.js: several pushes
// in one tick give one 'readable'; a new one only after the buffer was drained.
const { Readable } = require('stream');
const { log } = require('../lib/log.js');

const r = new Readable({ highWaterMark: 100, read() { log('_read'); } });
r.on('readable', () => log('readable', r.readableLength));
r.push('a');
r.push('b');
process.nextTick(() => r.push('c'));
setImmediate(() => {
  log('step 2');
  r.push('d');
  setImmediate(() => {
    log('step 3');
    log('read', r.read());
    r.push('e');
    r.push('f');
    setImmediate(() => {
      log('step 4');
      log('read 1', r.read(1));
      r.push('g');
      setImmediate(() => {
        log('step 5');
        r.push(null);
        r.on('end', () => log('end'));
        setImmediate(() => log('read', r.read()));
      });
    });
  });
});

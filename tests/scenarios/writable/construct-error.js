// Port of test/parallel/test-stream-construct.js (construct error): an error from construct
// destroys the stream: 'error', 'close', and pending write callbacks get the error.
'use strict';
const { Writable } = require('stream');
const { log } = require('../lib/log.js');
const tick = () => new Promise((resolve) => setImmediate(resolve));

(async () => {
  const w = new Writable({
    highWaterMark: 100,
    construct(cb) {
      log('construct');
      process.nextTick(cb, new Error('construct failed'));
    },
    write(chunk, encoding, cb) {
      log('_write', chunk);
      cb();
    },
  });
  w.on('error', (e) => log('error', e));
  w.on('close', () => log('close'));
  w.write('a', (err) => log('cb a', err));
  log('sync over');
})();

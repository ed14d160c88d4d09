// Port of test/parallel/test-stream-construct.js (Writable): writes and end() made before the
// construct callback are held; _write, _final and 'finish' happen after it.
'use strict';
const { Writable } = require('stream');
const { log } = require('../lib/log.js');
const tick = () => new Promise((resolve) => setImmediate(resolve));

(async () => {
  let constructCb;
  const w = new Writable({
    highWaterMark: 100,
    construct(cb) {
      log('construct');
      constructCb = cb;
    },
    write(chunk, encoding, cb) {
      log('_write', chunk);
      cb();
    },
    final(cb) {
      log('_final');
      cb();
    },
  });
  w.on('finish', () => log('finish'));
  w.on('close', () => log('close'));
  log('write', w.write('a', () => log('cb a')), w.writableLength);
  w.end('b');
  await tick();
  log('before construct cb', w.writableLength);
  constructCb();
  log('after construct cb');
})();

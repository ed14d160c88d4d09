// Port of test/parallel/test-stream-autodestroy.js (Writable): with autoDestroy:false, 'finish'
// does not destroy the stream; an explicit destroy() then emits 'close'.
'use strict';
const { Writable } = require('stream');
const { log } = require('../lib/log.js');
const tick = () => new Promise((resolve) => setImmediate(resolve));

(async () => {
  const w = new Writable({
    highWaterMark: 100,
    autoDestroy: false,
    write(chunk, encoding, cb) {
      cb();
    },
    destroy(err, cb) {
      log('_destroy', err);
      cb(err);
    },
  });
  w.on('finish', () => log('finish'));
  w.on('close', () => log('close'));
  w.end('x');
  await tick();
  log('after finish', w.writableFinished, w.destroyed, w.closed);
  w.destroy();
  log('destroy called', w.destroyed);
  await tick();
  log('after destroy', w.closed);
  const e = new Writable({ highWaterMark: 100, autoDestroy: false, write(c, enc, cb) { cb(new Error('w')); } });
  e.on('error', (err) => log('error e', err, e.destroyed));
  e.on('close', () => log('close e'));
  e.write('x');
  await tick();
  log('e state', e.destroyed, e.writable);
})();

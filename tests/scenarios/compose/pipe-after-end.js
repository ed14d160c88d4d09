'use strict';
// Port of test/parallel/test-stream-pipe-after-end.js: piping a source that already ended still ends the destination.
const { log } = require('../lib/log.js');
const { Readable, Writable } = require('stream');

const src = new Readable({ read() {}, highWaterMark: 16 });
src.push(null);
src.resume();
src.on('end', () => {
  log('end');
  setImmediate(() => {
    const dst = new Writable({ highWaterMark: 16, write(c, e, cb) { log('write', c); cb(); } });
    dst.on('pipe', () => log('pipe'));
    dst.on('finish', () => log('finish'));
    src.pipe(dst);
  });
});

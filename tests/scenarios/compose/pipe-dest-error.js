'use strict';
// Port of test/parallel/test-stream-pipe-error-handling.js: a destination error unpipes it; the source lives on.
const { log } = require('../lib/log.js');
const { Readable, Writable } = require('stream');

const src = new Readable({ read() {}, highWaterMark: 16 });
const dst = new Writable({
  highWaterMark: 16,
  write(c, e, cb) { cb(new Error('write failed')); },
});
dst.on('unpipe', () => log('unpipe'));
dst.on('error', (err) => log('dst-error', err.message, src._readableState.pipes.length));
dst.on('close', () => log('dst-close', dst.destroyed));
src.on('pause', () => log('src-pause'));
src.pipe(dst);
src.push('x');
setImmediate(() => {
  log('src', src.destroyed, src.readableFlowing, src.readableLength);
});

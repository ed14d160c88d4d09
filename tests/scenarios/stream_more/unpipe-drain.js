'use strict';
// Port of test/parallel/test-stream2-unpipe-drain.js: unpiping while the
// destination needs drain leaves the source readable by read().
const stream = require('stream');
const { log } = require('../lib/log.js');

let pending = [];
const dest = new stream.Writable({ highWaterMark: 4 });
dest._write = (chunk, enc, cb) => { log('_write', chunk.length); pending.push(cb); };
const src = new stream.Readable({ highWaterMark: 8 });
let reads = 0;
src._read = function(n) {
  reads++;
  log('_read', reads);
  if (reads <= 3) this.push(Buffer.alloc(8, reads));
};
src.on('pause', () => log('pause', dest.writableNeedDrain));
dest.on('unpipe', () => log('unpipe'));
src.pipe(dest);
setImmediate(() => {
  log('unpiping', src.readableLength, dest.writableLength);
  src.unpipe(dest);
  const cbs = pending;
  pending = [];
  cbs.forEach((cb) => cb());
  setImmediate(() => {
    log('flowing', src.readableFlowing, src.readableLength);
    const c = src.read(4);
    log('read', c);
  });
});

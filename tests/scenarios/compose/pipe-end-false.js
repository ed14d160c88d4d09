'use strict';
// Port of test/parallel/test-stream-pipe-flow.js (end: false part): the destination is not ended.
const { log } = require('../lib/log.js');
const { Readable, PassThrough } = require('stream');

const src = new Readable({ objectMode: true, highWaterMark: 2, read() {} });
const dst = new PassThrough({ objectMode: true, highWaterMark: 2 });
dst.on('data', (c) => log('data', c));
dst.on('finish', () => log('finish'));
src.on('end', () => log('src-end'));
dst.on('unpipe', () => log('unpipe'));
src.pipe(dst, { end: false });
src.push('a');
src.push('b');
src.push(null);
setImmediate(() => {
  log('after', dst.writableEnded, dst.writable, src.readableEnded, src.destroyed);
  dst.end('c');
});

'use strict';
// Port of test/parallel/test-stream-writable-clear-buffer.js: corked object
// writes, then end(): each callback sees the buffer shrink by one.
const { Writable } = require('stream');
const { log } = require('../lib/log.js');

const w = new Writable({
  objectMode: true,
  highWaterMark: 16,
  write(chunk, encoding, cb) { log('_write', chunk, w.writableLength); setImmediate(cb); },
});
w.cork();
for (let i = 1; i <= 5; i++) {
  w.write(i, () => log('cb', i, w.writableLength, w.writableBuffer.length));
}
log('corked length', w.writableLength, w.writableBuffer.length, w.writableCorked);
w.end();
log('after end', w.writableCorked, w.writableLength);
w.on('finish', () => log('finish'));

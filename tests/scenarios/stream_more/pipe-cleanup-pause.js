'use strict';
// Port of test/parallel/test-stream-pipe-cleanup-pause.js: unpiping the first
// destination while it awaits drain must not leave the source paused for the
// second one.
const stream = require('stream');
const { log } = require('../lib/log.js');

const reader = new stream.Readable({ highWaterMark: 16 });
const writer1 = new stream.Writable({ highWaterMark: 16 });
const writer2 = new stream.Writable({ highWaterMark: 16 });
const buffer = Buffer.alloc(64, 'x');
reader._read = () => {};
let n1 = 0;
let n2 = 0;
writer1._write = function(chunk, encoding, cb) {
  n1++;
  log('w1 _write', chunk.length, n1);
  this.emit('chunk-received');
  cb();
};
writer1.once('chunk-received', () => {
  log('unpipe w1');
  reader.unpipe(writer1);
  reader.pipe(writer2);
  reader.push(buffer);
  setImmediate(() => {
    reader.push(buffer);
    setImmediate(() => reader.push(buffer));
  });
});
writer2._write = function(chunk, encoding, cb) {
  n2++;
  log('w2 _write', chunk.length, n2, reader.isPaused());
  cb();
};
reader.pipe(writer1);
reader.push(buffer);

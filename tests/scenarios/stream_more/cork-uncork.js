'use strict';
// Port of test/parallel/test-stream3-cork-uncork.js: corked writes reach
// _writev together on uncork(); uncorked writes go one by one.
const { Writable } = require('stream');
const { log } = require('../lib/log.js');

const w = new Writable({ highWaterMark: 1024, decodeStrings: false });
w._write = (chunk, enc, cb) => { log('_write', chunk, enc); cb(); };
w._writev = (chunks, cb) => { log('_writev', chunks.map((c) => [c.chunk, c.encoding])); cb(); };
w.on('finish', () => log('finish'));
w.cork();
w.write('a');
w.write(Buffer.from('b'));
w.write('c', 'latin1');
log('corked', w.writableCorked, w.writableLength);
setImmediate(() => {
  log('nothing written yet');
  w.uncork();
  log('uncorked', w.writableCorked, w.writableLength);
  w.write('d');
  setImmediate(() => {
    w.cork();
    w.cork();
    w.write('e');
    w.write('f');
    w.uncork();
    log('one uncork', w.writableCorked, w.writableLength);
    process.nextTick(() => { log('tick'); w.uncork(); log('both uncorked', w.writableCorked); w.end(); });
  });
});

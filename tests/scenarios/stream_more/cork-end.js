'use strict';
// Port of test/parallel/test-stream3-cork-end.js: end() flushes a corked
// buffer through _writev before 'finish'.
const { Writable } = require('stream');
const { log } = require('../lib/log.js');

const w = new Writable({ highWaterMark: 1024 });
w._write = (chunk, enc, cb) => { log('_write', chunk); cb(); };
w._writev = (chunks, cb) => { log('_writev', chunks.map((c) => c.chunk)); cb(); };
w.on('finish', () => log('finish'));
w.cork();
w.write('a');
w.write('b');
setImmediate(() => {
  log('still corked', w.writableCorked, w.writableLength);
  w.end('c', () => log('end cb'));
  log('after end', w.writableCorked, w.writableLength);
});

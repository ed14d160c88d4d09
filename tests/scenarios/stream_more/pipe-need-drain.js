'use strict';
// Port of test/parallel/test-stream-pipe-needDrain.js: pipe() into a
// destination that already needs draining pauses until 'drain'.
const { Readable, Writable } = require('stream');
const { log } = require('../lib/log.js');

const w = new Writable({
  highWaterMark: 1,
  write(buf, encoding, callback) { log('_write', buf); process.nextTick(callback); },
});
let n = 0;
while (w.write('asd')) n++;
log('writes before false', n, w.writableNeedDrain, w.writableLength);
w.on('drain', () => log('drain'));
const r = new Readable({
  highWaterMark: 16,
  read() { this.push('asd'); this.push(null); },
});
r.on('pause', () => log('pause'));
r.on('resume', () => log('resume'));
r.on('end', () => log('end'));
w.on('finish', () => log('finish'));
r.pipe(w);

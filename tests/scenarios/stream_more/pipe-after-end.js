'use strict';
// Port of test/parallel/test-stream-pipe-after-end.js: piping a Readable whose
// EOF was already read ends the destination; an ended but unread one emits
// 'end' on the next read().
const { Readable, Writable } = require('stream');
const { log } = require('../lib/log.js');

class TestReadable extends Readable {
  constructor(name) { super({ highWaterMark: 16 }); this.name = name; this.calls = 0; }
  _read() { this.calls++; log(this.name + ' _read', this.calls); this.push(null); }
}
class TestWritable extends Writable {
  constructor() { super({ highWaterMark: 16 }); }
  _write(chunk, enc, cb) { log('_write', chunk); cb(); }
}
const ender = new TestReadable('ender');
const piper = new TestReadable('piper');
log('piper read', piper.read());
piper.on('end', () => log('piper end'));
setImmediate(() => {
  ender.on('end', () => log('ender end'));
  log('ender read', ender.read());
  const w = new TestWritable();
  w.on('finish', () => log('finish'));
  w.on('pipe', () => log('pipe'));
  piper.pipe(w);
  log('piped');
});

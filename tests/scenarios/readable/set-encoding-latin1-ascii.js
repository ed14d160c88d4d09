'use strict';
// Port of test/parallel/test-stream2-set-encoding.js (latin1/binary/ascii cases):
// single-byte encodings map every byte without buffering.
const { Readable } = require('stream');
const { log } = require('../lib/log.js');

for (const enc of ['latin1', 'binary', 'ascii']) {
  const r = new Readable({ highWaterMark: 64, read() {} });
  r.setEncoding(enc);
  log(enc, 'encoding', r.readableEncoding);
  r.on('data', (c) => log(enc, 'data', c));
  r.push(Buffer.from([0x41, 0xe9, 0xff]));
  r.push(Buffer.from([0x7f, 0x80]));
}

'use strict';
// Port of test/parallel/test-stream2-set-encoding.js (hex case): read(n) counts
// characters of the decoded text.
const { Readable } = require('stream');
const { log } = require('../lib/log.js');

const r = new Readable({ highWaterMark: 64, read() {} });
r.setEncoding('hex');
r.push(Buffer.from('abcdef'));
log('length', r.readableLength);
log('read 5', r.read(5), r.readableLength);
log('read 4', r.read(4), r.readableLength);
r.push(null);
const out = [];
r.on('readable', () => {
  let c;
  while ((c = r.read(4)) !== null) out.push(c);
  log('readable', out);
});
r.on('end', () => log('end'));

'use strict';
// Port of test/parallel/test-stream2-base64-single-char-read-end.js and
// test-stream2-set-encoding.js (base64, base64url): groups of three bytes,
// the remainder flushed (with padding for base64) at the end.
const { Readable } = require('stream');
const { log } = require('../lib/log.js');

for (const enc of ['base64', 'base64url']) {
  const r = new Readable({ highWaterMark: 64, encoding: enc, read() {} });
  r.on('data', (c) => log(enc, 'data', c));
  r.on('end', () => log(enc, 'end'));
  r.push(Buffer.from('1'));
  r.push(Buffer.from([0xfb, 0xff]));
  r.push(Buffer.from([0xfe, 0x01, 0x02, 0x03]));
  r.push(Buffer.from('?'));
  r.push(null);
}
{
  const r = new Readable({ highWaterMark: 64, encoding: 'base64', read() {} });
  const out = [];
  r.on('data', (c) => out.push(c));
  r.on('end', () => log('single', out));
  r.push(Buffer.from('1'));
  r.push(null);
}

'use strict';
// Port of test/parallel/test-stream-readable-setEncoding-existing-buffers.js:
// setEncoding('utf8') decodes buffered and later chunks; a 4-byte character
// split over pushes comes out whole.
const { Readable } = require('stream');
const { log } = require('../lib/log.js');

{
  const r = new Readable({ highWaterMark: 16, read() {} });
  r.push(Buffer.from('a'));
  r.push(Buffer.from('b'));
  r.setEncoding('utf8');
  r.on('data', (c) => log('A data', c));
}
{
  const r = new Readable({ highWaterMark: 16, read() {} });
  for (const b of [0xf0, 0x9f, 0x8e, 0x89]) r.push(Buffer.from([b]));
  r.setEncoding('utf8');
  r.on('data', (c) => log('B data', c));
}
{
  const r = new Readable({ highWaterMark: 16, read() {} });
  r.push(Buffer.from([0xf0]));
  r.push(Buffer.from([0x9f]));
  r.setEncoding('utf8');
  log('C length', r.readableLength, r.readableEncoding);
  r.push(Buffer.from([0x8e]));
  log('C length', r.readableLength);
  r.push(Buffer.from([0x89]));
  r.on('data', (c) => log('C data', c));
}
setImmediate(() => {
  const r = new Readable({ highWaterMark: 16, encoding: 'utf8', read() {} });
  const bytes = Buffer.from('h\u00e9\u20ac\u{1f600}!');
  r.on('data', (c) => log('D data', c));
  r.on('end', () => log('D end'));
  for (let i = 0; i < bytes.length; i++) r.push(bytes.subarray(i, i + 1));
  r.push(Buffer.from([0xe2, 0x82]));
  r.push(null);
});

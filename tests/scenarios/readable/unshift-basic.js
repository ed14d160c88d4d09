'use strict';
// Port of test/parallel/test-stream-readable-unshift.js: unshift() puts chunks
// in front (strings encoded, object mode keeps values, encoding honoured).
const { Readable } = require('stream');
const { log } = require('../lib/log.js');

{
  const r = new Readable({ highWaterMark: 16, read() {} });
  r.on('data', (c) => log('A data', c));
  log('A unshift', r.unshift('abc'));
}
{
  const r = new Readable({ highWaterMark: 16, read() {} });
  r.on('data', (c) => log('B data', c));
  r.push('back');
  r.unshift('front');
}
{
  const r = new Readable({ highWaterMark: 16, read() {} });
  r.on('data', (c) => log('C data', c));
  r.unshift(Buffer.from('abc').toString('base64'), 'base64');
}
{
  const r = new Readable({ highWaterMark: 16, read() {} });
  r.setEncoding('base64');
  r.on('data', (c) => log('D data', c));
  for (const enc of ['utf8', 'latin1', 'hex', 'base64']) r.unshift('abc', enc);
}
{
  const r = new Readable({ highWaterMark: 16, read() {}, encoding: 'base64' });
  r.on('data', (c) => log('E data', c));
  r.push('abc');
  r.unshift('abc');
}
{
  const r = new Readable({ objectMode: true, highWaterMark: 16, read() {} });
  r.on('data', (c) => log('F data', c));
  for (const c of ['a', 1, { k: 'v' }, []]) log('F unshift', r.unshift(c), r.readableLength);
}
{
  const r = new Readable({ highWaterMark: 4, read() {} });
  log('G unshift', r.unshift('abcdef'), r.readableLength);
  log('G push', r.push('x'), r.readableLength);
  log('G read', r.read(2), r.read(), r.readableLength);
}

// Ported from test/parallel/test-zlib-maxOutputLength.js, test-zlib-from-concatenated-gzip.js
// and test-zlib-convenience-methods.js: the callback helpers round-trip every format,
// stop at maxOutputLength with ERR_BUFFER_TOO_LARGE, read gzip members in a row (zero
// bytes after a member are padding), and report corrupt input with Node's codes.
'use strict';
const zlib = require('zlib');
const { promisify } = require('util');
const { log } = require('../lib/log.js');

const text = 'the quick brown fox jumps over the lazy dog '.repeat(50);
const pairs = [
  ['gzip', 'gunzip'], ['deflate', 'inflate'], ['deflateRaw', 'inflateRaw'],
  ['gzip', 'unzip'], ['deflate', 'unzip'], ['brotliCompress', 'brotliDecompress'],
];
(async () => {
  for (const [c, d] of pairs) {
    const packed = await promisify(zlib[c])(text);
    const back = await promisify(zlib[d])(packed);
    log(c, d, back.toString() === text);
  }
  const bomb = zlib.gzipSync(Buffer.alloc(1 << 20));
  for (const [name, fn, input] of [
    ['gunzip', zlib.gunzip, bomb],
    ['brotliDecompress', zlib.brotliDecompress, zlib.brotliCompressSync(Buffer.alloc(1 << 20))],
    ['inflate', zlib.inflate, zlib.deflateSync(Buffer.alloc(1 << 20))],
  ]) {
    try {
      await promisify(fn)(input, { maxOutputLength: 1000 });
      log(name, 'no error');
    } catch (e) {
      log(name, e, e.message);
    }
  }
  const exact = await promisify(zlib.gunzip)(zlib.gzipSync('x'.repeat(1000)), { maxOutputLength: 1000 });
  log('exact limit', exact.length);
  const members = Buffer.concat([zlib.gzipSync('abc'), zlib.gzipSync('def'), Buffer.alloc(10)]);
  log('members', (await promisify(zlib.gunzip)(members)).toString());
  const trailing = Buffer.concat([zlib.deflateSync('abc'), Buffer.from('xyz')]);
  log('inflate trailing', (await promisify(zlib.inflate)(trailing)).toString());
  try {
    await promisify(zlib.gunzip)(Buffer.concat([zlib.gzipSync('abc'), Buffer.from('xyz')]));
  } catch (e) {
    log('gunzip trailing', e, e.message);
  }
  try {
    await promisify(zlib.inflate)(Buffer.from('nope'));
  } catch (e) {
    log('inflate corrupt', e, e.errno, e.message);
  }
})();

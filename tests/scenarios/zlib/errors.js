// Ported from test/parallel/test-zlib-truncated.js, test-zlib-from-gzip-with-trailing-garbage.js
// and test-zlib-invalid-input.js: corrupt input is Z_DATA_ERROR (errno -3), truncated input
// is Z_BUF_ERROR 'unexpected end of file' (errno -5), empty input too; 'close' follows.
'use strict';
const zlib = require('zlib');
const { log } = require('../lib/log.js');

const text = 'Lorem ipsum dolor sit amet, consectetur adipiscing elit. '.repeat(20);
const cases = [
  ['gunzip garbage', zlib.createGunzip, Buffer.from('this is not gzip')],
  ['inflate garbage', zlib.createInflate, Buffer.from('this is not deflate')],
  ['inflateRaw bad block', zlib.createInflateRaw, Buffer.from([0xff, 0xff, 0xff])],
  ['gunzip truncated', zlib.createGunzip, zlib.gzipSync(text).subarray(0, 40)],
  ['inflate truncated', zlib.createInflate, zlib.deflateSync(text).subarray(0, 40)],
  ['inflateRaw truncated', zlib.createInflateRaw, zlib.deflateRawSync(text).subarray(0, 40)],
  ['brotli truncated', zlib.createBrotliDecompress, zlib.brotliCompressSync(text).subarray(0, 10)],
  ['gunzip empty', zlib.createGunzip, Buffer.alloc(0)],
  ['brotli empty', zlib.createBrotliDecompress, Buffer.alloc(0)],
  ['unzip garbage', zlib.createUnzip, Buffer.from('neither format')],
  ['gunzip trailing garbage member', zlib.createGunzip, Buffer.concat([zlib.gzipSync('abc'), Buffer.from([0x1f, 0x8b, 0xff, 0xff])])],
];
(async () => {
  for (const [name, make, input] of cases) {
    const s = make();
    let got = 0;
    s.on('data', (c) => { got += c.length; });
    s.on('end', () => log(name, 'end', got));
    s.on('error', (e) => log(name, 'error', e, e.errno, e.message));
    s.end(input);
    await new Promise((resolve) => s.on('close', resolve));
    log(name, 'close');
  }
  // A truncated stream read with finishFlush: Z_SYNC_FLUSH gives what it has, no error.
  const g = zlib.createGunzip({ finishFlush: zlib.constants.Z_SYNC_FLUSH });
  const out = [];
  g.on('data', (c) => out.push(c));
  g.on('error', (e) => log('sync flush', 'error', e));
  g.end(zlib.gzipSync(text).subarray(0, 60));
  await new Promise((resolve) => g.on('close', resolve));
  const partial = Buffer.concat(out).toString();
  log('sync flush', partial.length > 0, text.startsWith(partial));
})();

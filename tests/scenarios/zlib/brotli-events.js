// Ported from test/parallel/test-zlib-brotli.js and test-zlib-brotli-flush.js: Brotli
// streams with params, flush() giving decodable output, and the event order.
'use strict';
const zlib = require('zlib');
const { log } = require('../lib/log.js');

const c = zlib.createBrotliCompress({ params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 4 } });
const out = [];
c.on('data', (x) => out.push(x));
c.on('finish', () => log('finish', c.bytesWritten));
c.on('end', () => {
  const packed = Buffer.concat(out);
  log('end', zlib.brotliDecompressSync(packed).toString());
  const d = zlib.createBrotliDecompress();
  const back = [];
  d.on('data', (x) => back.push(x));
  d.on('finish', () => log('d finish'));
  d.on('end', () => log('d end', Buffer.concat(back).toString()));
  d.on('close', () => log('d close'));
  d.write(packed.subarray(0, 5));
  d.end(packed.subarray(5));
});
c.on('close', () => log('close'));
c.write('brotli ');
c.flush(() => {
  const partial = zlib.brotliDecompressSync(Buffer.concat(out), { finishFlush: zlib.constants.BROTLI_OPERATION_FLUSH });
  log('flushed', partial.toString());
  c.end('streams');
});

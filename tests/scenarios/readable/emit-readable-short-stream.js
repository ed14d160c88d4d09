'use strict';
// Port of test/parallel/test-stream-readable-emit-readable-short-stream.js
// (Readable cases): a 'readable' drain loop on a short stream; how many times
// 'readable' fires.
const { Readable } = require('stream');
const { log } = require('../lib/log.js');

{
  const t = new Readable({ highWaterMark: 16, read() {} });
  t.on('readable', () => {
    log('A readable');
    let c;
    while ((c = t.read())) log('A read', c);
  });
  t.on('end', () => log('A end'));
  t.push('content');
  t.push(null);
}
setImmediate(() => {
  const t = new Readable({ highWaterMark: 16, read() {} });
  t.on('readable', () => {
    log('B readable');
    let c;
    while ((c = t.read())) log('B read', c);
  });
  t.on('end', () => log('B end'));
  t.push('content');
  setImmediate(() => t.push(null));
});

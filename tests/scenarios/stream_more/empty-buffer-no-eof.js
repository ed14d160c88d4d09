'use strict';
// Port of test/parallel/test-stream2-readable-empty-buffer-no-eof.js: pushing an
// empty buffer is "no data yet", never EOF; base64 output is regrouped.
const { Readable } = require('stream');
const { log } = require('../lib/log.js');

{
  const r = new Readable({ highWaterMark: 16 });
  const buf = Buffer.alloc(5, 'x');
  let reads = 5;
  r._read = function(n) {
    log('A _read', reads);
    switch (reads--) {
      case 5: return setImmediate(() => r.push(buf));
      case 4:
        setImmediate(() => r.push(Buffer.alloc(0)));
        return setImmediate(r.read.bind(r, 0));
      case 3:
        setImmediate(r.read.bind(r, 0));
        return process.nextTick(() => r.push(Buffer.alloc(0)));
      case 2:
        setImmediate(r.read.bind(r, 0));
        return r.push(Buffer.alloc(0));
      case 1: return r.push(buf);
      case 0: return r.push(null);
    }
  };
  function flow() {
    let chunk;
    while (null !== (chunk = r.read())) log('A chunk', String(chunk));
  }
  r.on('readable', flow);
  r.on('end', () => log('A EOF'));
  flow();
}
{
  const r = new Readable({ encoding: 'base64', highWaterMark: 16 });
  let reads = 5;
  r._read = function(n) {
    if (!reads--) return r.push(null);
    return r.push(Buffer.from('x'));
  };
  function flow() {
    let chunk;
    while (null !== (chunk = r.read())) log('B chunk', String(chunk));
  }
  r.on('readable', flow);
  r.on('end', () => log('B EOF'));
  flow();
}

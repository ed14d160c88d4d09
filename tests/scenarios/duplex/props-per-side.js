// Port of test/parallel/test-stream-duplex-props.js: objectMode and highWaterMark set per side.
'use strict';
const { Duplex, Transform, PassThrough } = require('stream');
const { log } = require('../lib/log.js');
const tick = () => new Promise((resolve) => setImmediate(resolve));

(async () => {
  const d = new Duplex({
    readableObjectMode: true,
    writableHighWaterMark: 3,
    readableHighWaterMark: 2,
    read() {},
    write(chunk, encoding, cb) {
      log('_write', chunk, encoding);
    },
  });
  log('readable', d.readableObjectMode, d.readableHighWaterMark);
  log('writable', d.writableObjectMode, d.writableHighWaterMark);
  log('push', d.push({ a: 1 }), d.push([2]), d.readableLength);
  log('write', d.write('ab'), d.writableLength, d.write('c'), d.writableLength);
  const o = new Duplex({
    writableObjectMode: true,
    readableHighWaterMark: 4,
    writableHighWaterMark: 1,
    read() {},
    write(chunk, encoding, cb) {
      log('_write obj', chunk);
    },
  });
  log('o readable', o.readableObjectMode, o.readableHighWaterMark);
  log('o writable', o.writableObjectMode, o.writableHighWaterMark);
  log('o write', o.write({ x: 1 }), o.writableLength);
  log('o push', o.push('abcd'), o.readableLength);
  const b = new Duplex({ objectMode: true, highWaterMark: 5, read() {}, write(c, e, cb) { cb(); } });
  log('both', b.readableObjectMode, b.writableObjectMode, b.readableHighWaterMark, b.writableHighWaterMark);
})();

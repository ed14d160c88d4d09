'use strict';
// Port of test/parallel/test-stream-compose.js: compose(Transform, async generator, Transform) is one Duplex.
const { log } = require('../lib/log.js');
const { compose, Transform, Readable } = require('stream');

const d = compose(
  new Transform({ objectMode: true, highWaterMark: 2, transform(c, e, cb) { cb(null, c + 1); } }),
  async function* (src) { for await (const c of src) yield c * 10; },
  new Transform({ objectMode: true, highWaterMark: 2, transform(c, e, cb) { cb(null, String(c)); } }),
);
log('sides', d.readable, d.writable, d.readableObjectMode, d.writableObjectMode);
const got = [];
d.on('data', (c) => got.push(c));
d.on('end', () => log('end', got));
d.on('finish', () => log('finish'));
d.on('close', () => log('close'));
d.write(1);
d.write(2);
d.end(3);

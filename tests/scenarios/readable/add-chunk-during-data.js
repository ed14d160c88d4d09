'use strict';
// Port of test/parallel/test-stream-readable-add-chunk-during-data.js: push() or
// unshift() inside a 'data' listener re-buffers the chunk and flows it again.
const { Readable } = require('stream');
const { log } = require('../lib/log.js');

for (const method of ['push', 'unshift']) {
  const r = new Readable({ highWaterMark: 16, read() {} });
  r.once('data', (chunk) => {
    log(method, 'first data', chunk, r.readableLength);
    r[method](chunk);
    log(method, 'after', r.readableLength);
    r.on('data', (c) => log(method, 'data', c));
  });
  r.push('Hello, world');
}

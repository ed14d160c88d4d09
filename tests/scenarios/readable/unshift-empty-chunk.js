'use strict';
// Port of test/parallel/test-stream-unshift-empty-chunk.js: unshifting an empty
// Buffer does nothing; read() inside 'readable' sees unshifted data first.
const { Readable } = require('stream');
const { log } = require('../lib/log.js');

const r = new Readable({ highWaterMark: 16 });
let nChunks = 5;
const chunk = Buffer.alloc(10, 'x');
r._read = function(n) {
  log('_read', n);
  setImmediate(() => {
    r.push(--nChunks === 0 ? null : chunk);
  });
};
let readAll = false;
r.on('readable', () => {
  let c;
  while ((c = r.read()) !== null) {
    log('read', c.toString());
    const putBack = Buffer.alloc(readAll ? 0 : 5, 'y');
    readAll = !readAll;
    r.unshift(putBack);
  }
});
r.on('end', () => log('end'));

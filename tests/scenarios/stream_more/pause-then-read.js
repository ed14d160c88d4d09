'use strict';
// Port of test/parallel/test-stream3-pause-then-read.js (condensed): switch
// between flowing ('data') and paused (read(n)) without losing or reordering bytes.
const { Readable } = require('stream');
const { log } = require('../lib/log.js');

const totalChunks = 10;
const chunkSize = 9;
let n = 0;
const r = new Readable({ highWaterMark: 20 });
r._read = function() {
  if (n++ < totalChunks) this.push(Buffer.alloc(chunkSize, 'a'.charCodeAt(0) + n - 1));
  else this.push(null);
};
r.on('end', () => log('end'));
log('read 5', r.read(5));
log('read 0', r.read(0));
setImmediate(() => {
  log('read 13', r.read(13));
  r.once('data', (c) => {
    log('data', c);
    r.pause();
    log('paused read 7', r.read(7), r.readableFlowing);
    setImmediate(() => {
      r.once('readable', () => {
        let c;
        const got = [];
        while ((c = r.read(10)) !== null) got.push(c);
        log('read 10s', got);
        r.resume();
        r.on('data', (d) => log('flow', d));
      });
      r.read(0);
    });
  });
});

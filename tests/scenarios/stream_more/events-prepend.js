'use strict';
// Port of test/parallel/test-stream-events-prepend.js: pipe() emits 'pipe' on
// the destination (with the source) and the data arrives, then 'finish'.
const stream = require('stream');
const { log } = require('../lib/log.js');

class W extends stream.Writable {
  _write(chunk, enc, cb) { log('_write', chunk); cb(); }
}
class R extends stream.Readable {
  _read() { this.push('ab'); this.push(null); }
}
const w = new W({ highWaterMark: 16 });
const r = new R({ highWaterMark: 16 });
w.on('pipe', (src) => log('pipe', src === r));
w.on('unpipe', (src) => log('unpipe', src === r));
w.on('finish', () => log('finish'));
r.on('end', () => log('end'));
log('pipe returns dest', r.pipe(w) === w);

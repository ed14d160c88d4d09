'use strict';
// Port of test/parallel/test-stream2-readable-from-list.js semantics: read(n)
// returns exactly n bytes across chunk boundaries, null when fewer are
// buffered and the stream has not ended, and the rest after the end.
const { Readable } = require('stream');
const { log } = require('../lib/log.js');

const r = new Readable({ highWaterMark: 100, read() {} });
r.push('abc');
r.push('defg');
r.push('h');
log('read 2', r.read(2), r.readableLength);
log('read 3', r.read(3), r.readableLength);
log('read 4', r.read(4), r.readableLength);
log('read 3', r.read(3), r.readableLength);
log('read 1', r.read(1), r.readableLength);
r.push('ij');
log('read 5', r.read(5), r.readableLength);
r.push(null);
log('ended', r.readableEnded);
r.on('end', () => log('end', r.readableEnded, r.readableLength));
log('read 5', r.read(5), r.readableLength);
log('read', r.read(), r.readableLength);

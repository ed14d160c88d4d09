// Port of test/parallel/test-stream-readable-hwm-0-no-flow-data.js / readable.js read(n) coercion:
// negative sizes read nothing, fractional sizes are truncated, numeric strings are parsed,
// a non-numeric size means "everything".
'use strict';
const { Readable } = require('stream');
const { log } = require('../lib/log.js');

const r = new Readable({ read() {}, highWaterMark: 100 });
r.push('abcdef');
log('read(-1)', r.read(-1), r.readableLength);
log('read(-5)', r.read(-5), r.readableLength);
log('read(1.5)', r.read(1.5), r.readableLength);
log('read("2")', r.read('2'), r.readableLength);
log('read("x")', r.read('x'), r.readableLength);
log('hwm', r.readableHighWaterMark);

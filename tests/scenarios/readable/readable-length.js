'use strict';
// Port of test/parallel/test-stream2-readable-from-list.js accounting:
// readableLength counts bytes (byte mode), characters (with an encoding) and
// objects (objectMode) through push, unshift and read.
const { Readable } = require('stream');
const { log } = require('../lib/log.js');

const b = new Readable({ highWaterMark: 100, read() {} });
b.push('abc');
b.push(Buffer.from([1, 2]));
b.unshift('zz');
log('bytes', b.readableLength);
b.read(4);
log('bytes after read 4', b.readableLength);

const s = new Readable({ highWaterMark: 100, encoding: 'utf8', read() {} });
s.push(Buffer.from('\u00e9\u00e9'));
log('chars', s.readableLength);
s.push(Buffer.from([0xc3]));
log('chars partial', s.readableLength);
s.push(Buffer.from([0xa9]));
log('chars completed', s.readableLength);
s.push(Buffer.from('\u{1f600}'));
log('chars astral (UTF-16 units)', s.readableLength);

const o = new Readable({ objectMode: true, highWaterMark: 100, read() {} });
o.push('long string');
o.push({ a: 1 });
o.unshift(42);
log('objects', o.readableLength);
o.read();
log('objects after read', o.readableLength);

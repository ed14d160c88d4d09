'use strict';
// Port of test/parallel/test-stream2-readable-non-empty-end.js: read() with no
// argument returns everything buffered (one object in objectMode).
const { Readable } = require('stream');
const { log } = require('../lib/log.js');

const r = new Readable({ highWaterMark: 100, read() {} });
r.push('ab');
r.push('cd');
r.push(Buffer.from([0, 255]));
log('read', r.read(), r.readableLength);
log('read empty', r.read(), r.readableLength);

const o = new Readable({ objectMode: true, highWaterMark: 100, read() {} });
o.push('ab');
o.push('cd');
o.push([1, 2]);
log('oread', o.read(), o.readableLength);
log('oread 1', o.read(1), o.readableLength);
log('oread 100', o.read(100), o.readableLength);
log('oread', o.read(), o.readableLength);

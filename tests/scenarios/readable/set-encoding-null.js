'use strict';
// Port of test/parallel/test-stream-readable-setEncoding-null.js: setEncoding()
// returns the stream; a null/undefined encoding means utf8.
const { Readable } = require('stream');
const { log } = require('../lib/log.js');

const r = new Readable({ highWaterMark: 16, read() {} });
log('before', r.readableEncoding);
log('returns this', r.setEncoding(null) === r);
log('after', r.readableEncoding);
r.push(Buffer.from('\u00e9'));
log('read', r.read());
const r2 = new Readable({ highWaterMark: 16, read() {}, encoding: 'latin1' });
log('r2', r2.readableEncoding);
r2.setEncoding('utf8');
log('r2 after', r2.readableEncoding);

'use strict';
// Port of test/parallel/test-stream2-set-encoding.js (utf16le case): odd byte
// counts and a surrogate pair split between its two code units decode correctly.
const { Readable } = require('stream');
const { log } = require('../lib/log.js');

const r = new Readable({ highWaterMark: 64, read() {} });
r.setEncoding('utf16le');
log('encoding', r.readableEncoding);
const bytes = Buffer.from('a\u00e9\u{1f600}z', 'utf16le');
const parts = [bytes.subarray(0, 1), bytes.subarray(1, 4), bytes.subarray(4, 6), bytes.subarray(6)];
for (const p of parts) r.push(p);
r.push(null);
r.on('data', (c) => log('data', c));
r.on('end', () => log('end'));

'use strict';
// Port of test/parallel/test-stream2-decode-partial.js: multi-byte characters
// split across pushes decode whole.
const { Readable } = require('stream');
const { log } = require('../lib/log.js');

const euro = Buffer.from([0xe2, 0x82, 0xac]);
const cent = Buffer.from([0xc2, 0xa2]);
const source = Buffer.concat([euro, cent]);
const r = new Readable({ encoding: 'utf8', highWaterMark: 16, read() {} });
r.push(source.slice(0, 2));
log('length', r.readableLength);
r.push(source.slice(2, 4));
log('length', r.readableLength);
r.push(source.slice(4, 6));
log('length', r.readableLength);
r.push(null);
r.on('data', (d) => log('data', d));
r.on('end', () => log('end'));

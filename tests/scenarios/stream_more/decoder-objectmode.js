'use strict';
// Port of test/parallel/test-stream-decoder-objectmode.js: in object mode with
// an encoding, each pushed buffer stays its own decoded string.
const { Readable } = require('stream');
const { log } = require('../lib/log.js');

const r = new Readable({ read() {}, encoding: 'utf16le', objectMode: true, highWaterMark: 16 });
r.push(Buffer.from('abc', 'utf16le'));
r.push(Buffer.from('def', 'utf16le'));
r.push(null);
log('length', r.readableLength);
log('read', r.read());
log('read', r.read());
log('read', r.read());
r.on('end', () => log('end'));

'use strict';
// Port of test/parallel/test-stream-readable-unshift.js (string unshift onto a
// decoding stream): the text is kept, ahead of what is buffered.
const { Readable } = require('stream');
const { log } = require('../lib/log.js');

const r = new Readable({ highWaterMark: 64, encoding: 'utf8', read() {} });
r.push(Buffer.from('wörld'));
log('length', r.readableLength);
r.unshift('héllo ');
log('length', r.readableLength);
r.unshift(Buffer.from('>'));
log('length', r.readableLength);
log('read', r.read());
r.push(null);
r.on('end', () => log('end'));
r.read();

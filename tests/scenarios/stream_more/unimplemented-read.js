'use strict';
// Port of test/parallel/test-stream-readable-with-unimplemented-_read.js: a
// Readable without _read fails with ERR_METHOD_NOT_IMPLEMENTED, then closes.
const { Readable } = require('stream');
const { log } = require('../lib/log.js');

const r = new Readable({ highWaterMark: 16 });
r.on('error', (err) => log('error', err, r.destroyed));
r.on('close', () => log('close'));
log('read', r.read());

'use strict';
// Port of test/parallel/test-stream-duplex-writable-finished.js: a Duplex's
// writableFinished turns true with 'finish', before end()'s callback.
const { Duplex } = require('stream');
const { log } = require('../lib/log.js');

const d = new Duplex({ highWaterMark: 16, read() {} });
d._write = (chunk, encoding, cb) => { log('_write', chunk, d.writableFinished); cb(); };
d.on('finish', () => log('finish', d.writableFinished));
d.end('testing finished state', () => log('end cb', d.writableFinished));
log('after end', d.writableFinished, d.writableEnded);

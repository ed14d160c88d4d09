'use strict';
// Port of test/parallel/test-stream-readable-resume-hwm.js: resume() above the
// high-water mark does not schedule a _read.
const { Readable } = require('stream');
const { log } = require('../lib/log.js');

const readable = new Readable({ read() { log('_read (must not happen)'); }, highWaterMark: 100 });
for (let i = 0; i < 10; i++) readable.push('a'.repeat(200));
log('length', readable.readableLength);
readable.resume();
readable.once('data', (c) => { log('data', c.length); readable.pause(); });
readable.on('pause', () => log('pause', readable.readableLength));

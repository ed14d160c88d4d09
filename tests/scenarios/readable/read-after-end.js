'use strict';
// Port of test/parallel/test-stream-readable-ended.js: read() after 'end'
// returns null; a second push(null) is ignored without error.
const { Readable } = require('stream');
const { log } = require('../lib/log.js');

const r = new Readable({ highWaterMark: 16, read() { log('_read'); } });
r.on('readable', () => log('readable', r.read()));
r.on('error', (e) => log('error', e));
r.on('end', () => {
  log('end', r.readableEnded, r.readable);
  log('read after end', r.read(), r.read(0), r.read(3));
});
r.on('close', () => log('close', r.destroyed));
log('push a', r.push('a'));
log('push null', r.push(null));
log('push null again', r.push(null));
log('ended', r.readableEnded, r.readable);

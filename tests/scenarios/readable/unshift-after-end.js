'use strict';
// Port of test/parallel/test-stream-readable-unshift.js / lib readable.js rule:
// unshift() after 'end' emits ERR_STREAM_UNSHIFT_AFTER_END_EVENT; before 'end'
// (after push(null)) it is still allowed.
const { Readable } = require('stream');
const { log } = require('../lib/log.js');

const r = new Readable({ highWaterMark: 16, read() {} });
r.push('a');
r.push(null);
log('unshift before end', r.unshift('z'), r.readableLength);
r.on('data', (c) => log('data', c));
r.on('end', () => {
  log('end');
  log('unshift after end', r.unshift('late'));
  log('after', r.errored, r.destroyed);
});
r.on('error', (e) => log('error', e, r.errored === e, r.destroyed));
r.on('close', () => log('close'));

'use strict';
// Port of test/parallel/test-stream-readable-data.js / test-stream-readable-ended.js:
// in flowing mode 'data' for each chunk, then 'end', then 'close', with the
// state properties seen at each event.
const { Readable } = require('stream');
const { log } = require('../lib/log.js');

const chunks = ['a', 'bc', 'def'];
const r = new Readable({
  highWaterMark: 16,
  read(n) {
    log('_read', n, r.readableEnded);
    const c = chunks.shift();
    log('push', this.push(c === undefined ? null : c));
  },
});
const state = (name) => log(name, r.readableFlowing, r.readableEnded, r.readable, r.destroyed, r.closed, r.readableLength);
r.on('data', (c) => { log('data', c); state('at data'); });
r.on('end', () => state('at end'));
r.on('close', () => state('at close'));
state('start');
process.nextTick(() => state('tick'));

'use strict';
// Port of test/parallel/test-stream-readable-destroy.js (error cases): 'error'
// then 'close' on later ticks; errored set synchronously; a second destroy
// error is ignored.
const { Readable } = require('stream');
const { log } = require('../lib/log.js');

const r = new Readable({ highWaterMark: 16, read() {} });
r.resume();
const expected = new Error('kaboom');
const state = (label) => log(label, r.destroyed, r.closed, r.errored === expected, r.readableAborted);
r.on('end', () => log('end'));
r.on('error', (e) => { log('error', e, e === expected); state('at error'); });
r.on('close', () => state('at close'));
r.destroy(expected);
state('sync');
r.destroy(new Error('second'));
state('after second');
process.nextTick(() => log('tick'));

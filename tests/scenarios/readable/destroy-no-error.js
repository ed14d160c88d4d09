'use strict';
// Port of test/parallel/test-stream-readable-destroy.js (first case): destroy()
// without error: no 'end', no 'error', 'close' on the next tick; state props.
const { Readable } = require('stream');
const { log } = require('../lib/log.js');

const r = new Readable({ highWaterMark: 16, read() {} });
const state = (label) => log(label, r.destroyed, r.closed, r.errored, r.readable, r.readableAborted, r.readableEnded);
r.resume();
r.push('x');
r.on('data', (c) => log('data', c));
r.on('end', () => log('end'));
r.on('error', (e) => log('error', e));
r.on('close', () => state('close'));
state('before');
log('destroy returns this', r.destroy() === r);
state('after');
log('push after destroy', r.push('y'), r.readableLength);
log('read after destroy', r.read());
log('destroy again', r.destroy() === r);
process.nextTick(() => state('tick'));

'use strict';
// Port of test/parallel/test-readable-from.js (an iterator that throws): the stream is destroyed with that error.
const { log } = require('../lib/log.js');
const { Readable } = require('stream');

function* gen() { yield 1; throw new RangeError('gen failed'); }
const r = Readable.from(gen());
r.on('data', (c) => log('data', c));
r.on('error', (err) => log('error', err));
r.on('end', () => log('end'));
r.on('close', () => log('close', r.destroyed, r.errored));

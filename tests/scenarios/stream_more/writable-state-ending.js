'use strict';
// Port of test/parallel/test-stream-writableState-ending.js: writableEnded
// and writableFinished through _write, end(), its callback and 'finish'.
const { Writable } = require('stream');
const { log } = require('../lib/log.js');

const w = new Writable({ highWaterMark: 16 });
const states = (label) => log(label, w.writableEnded, w.writableFinished, w.writable);
w._write = (chunk, encoding, cb) => { states('_write'); cb(); };
w.on('finish', () => states('finish'));
const result = w.end('testing function end()', () => states('end cb'));
log('end returns this', result === w);
states('after end');

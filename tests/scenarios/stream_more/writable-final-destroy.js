'use strict';
// Port of test/parallel/test-stream-writable-final-destroy.js: destroy() right
// after end() prevents 'prefinish' and 'finish'; 'close' still comes.
const { Writable } = require('stream');
const { log } = require('../lib/log.js');

const w = new Writable({
  highWaterMark: 16,
  write(chunk, encoding, callback) { callback(null); },
  final(callback) { log('_final'); process.nextTick(callback); },
});
w.end();
w.destroy();
w.on('prefinish', () => log('prefinish (must not happen)'));
w.on('finish', () => log('finish (must not happen)'));
w.on('error', (err) => log('error', err));
w.on('close', () => log('close', w.writableFinished));

'use strict';
// Port of test/parallel/test-stream-writable-finish-destroyed.js: a write
// callback that fires after destroy() never leads to 'finish'.
const { Writable } = require('stream');
const { log } = require('../lib/log.js');

{
  const w = new Writable({
    highWaterMark: 16,
    write(chunk, encoding, cb) {
      log('A _write', chunk);
      w.on('close', () => { log('A close, calling back'); cb(); });
    },
  });
  w.on('finish', () => log('A finish (must not happen)'));
  w.end('asd');
  w.destroy();
}
setImmediate(() => {
  const w = new Writable({
    highWaterMark: 16,
    write(chunk, encoding, cb) {
      log('B _write', chunk);
      w.on('close', () => { log('B close, calling back'); cb(); w.end(); });
    },
  });
  w.on('finish', () => log('B finish (must not happen)'));
  w.on('error', (err) => log('B error', err));
  w.write('asd');
  w.destroy();
});
setImmediate(() => setImmediate(() => {
  const w = new Writable({ highWaterMark: 16, write() {} });
  w.on('finish', () => log('C finish (must not happen)'));
  w.on('close', () => log('C close'));
  w.end();
  w.destroy();
}));

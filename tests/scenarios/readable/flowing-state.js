'use strict';
// Port of test/parallel/test-stream-ispaused.js: readableFlowing goes
// null -> true -> false -> true; isPaused() follows it.
const { Readable } = require('stream');
const { log } = require('../lib/log.js');

const readable = new Readable({ highWaterMark: 16, read() {} });
const s = (label) => log(label, readable.readableFlowing, readable.isPaused());
s('initial');
readable.on('data', (c) => log('data', c));
s('after on data');
readable.pause();
s('after pause');
readable.resume();
s('after resume');
readable.pause();
readable.push('x');
setImmediate(() => {
  s('paused with data');
  log('length', readable.readableLength);
  readable.resume();
  s('resumed');
  setImmediate(() => {
    log('length', readable.readableLength);
    readable.removeAllListeners('data');
    s('data removed');
    readable.push('y');
    setImmediate(() => {
      log('length', readable.readableLength);
      const p = new Readable({ highWaterMark: 16, read() {} });
      log('p initial', p.readableFlowing, p.isPaused());
      p.pause();
      log('p paused', p.readableFlowing, p.isPaused());
      p.on('data', (c) => log('p data', c));
      log('p on data', p.readableFlowing, p.isPaused());
      p.push('z');
      setImmediate(() => log('p length', p.readableLength));
    });
  });
});

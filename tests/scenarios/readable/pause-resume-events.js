'use strict';
// Port of test/parallel/test-stream-readable-pause-and-resume.js: 'pause' and
// 'resume' events; resume() is async ('resume' then data), pause() is sync.
const { Readable } = require('stream');
const { log } = require('../lib/log.js');

const r = new Readable({ objectMode: true, highWaterMark: 4, read() {} });
r.on('pause', () => log('pause event', r.readableFlowing));
r.on('resume', () => log('resume event', r.readableFlowing));
r.on('data', (d) => {
  log('data', d);
  if (d === 2) {
    r.pause();
    log('paused in data', r.isPaused());
  }
});
r.push(1);
r.push(2);
r.push(3);
log('sync', r.readableFlowing);
setImmediate(() => {
  log('step 2', r.readableLength);
  log('pause again');
  r.pause();
  log('resume');
  r.resume();
  log('resume twice');
  r.resume();
  setImmediate(() => {
    log('step 3', r.readableLength);
    r.push(null);
    r.on('end', () => log('end'));
  });
});

const q = new Readable({ highWaterMark: 16, read() {} });
q.on('pause', () => log('q pause'));
q.on('resume', () => log('q resume'));
log('q pause()');
q.pause();
log('q pause() again');
q.pause();

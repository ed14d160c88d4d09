'use strict';
// Port of test/parallel/test-stream-readable-aborted.js: readableAborted is true
// when destroyed before 'end' was emitted.
const { Readable } = require('stream');
const { log } = require('../lib/log.js');

{
  const r = new Readable({ highWaterMark: 16, read() {} });
  log('A', r.readableAborted);
  r.destroy();
  log('A destroyed', r.readableAborted);
}
{
  const r = new Readable({ highWaterMark: 16, read() {} });
  r.push(null);
  r.destroy();
  log('B push null + destroy', r.readableAborted);
}
{
  const r = new Readable({ highWaterMark: 16, read() {} });
  r.push('asd');
  r.destroy();
  log('C push + destroy', r.readableAborted);
}
{
  const r = new Readable({ highWaterMark: 16, read() {} });
  r.push('asd');
  r.push(null);
  log('D before end', r.readableAborted);
  r.on('end', () => {
    log('D at end', r.readableAborted);
    r.destroy();
    log('D destroyed after end', r.readableAborted);
    process.nextTick(() => log('D tick', r.readableAborted));
  });
  r.resume();
}

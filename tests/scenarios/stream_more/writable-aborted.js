'use strict';
// Port of test/parallel/test-stream-writable-aborted.js: writableAborted is true
// once destroyed before 'finish', ended or not.
const { Writable } = require('stream');
const { log } = require('../lib/log.js');

{
  const w = new Writable({ highWaterMark: 16, write() {} });
  log('A', w.writableAborted);
  w.destroy();
  log('A destroyed', w.writableAborted);
}
{
  const w = new Writable({ highWaterMark: 16, write() {} });
  log('B', w.writableAborted);
  w.end();
  w.destroy();
  log('B ended destroyed', w.writableAborted);
}
{
  const w = new Writable({ highWaterMark: 16, write(c, e, cb) { cb(); } });
  w.end('x');
  w.on('finish', () => log('C finish', w.writableAborted));
  w.on('close', () => log('C close', w.writableAborted));
}

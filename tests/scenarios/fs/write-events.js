// Ported from test/parallel/test-fs-write-stream.js and test-fs-write-stream-end.js:
// 'open', 'ready', the write callbacks, 'finish' then 'close'; bytesWritten; then the
// file holds what was written (and flags 'r+' with start overwrites in place).
'use strict';
const fs = require('fs');
const os = require('os');
const path = require('path');
const { log } = require('../lib/log.js');

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tns-fs-'));
process.on('exit', () => fs.rmSync(dir, { recursive: true, force: true }));
const file = path.join(dir, 'out.txt');

(async () => {
  const w = fs.createWriteStream(file);
  log('pending', w.pending, 'bytesWritten', w.bytesWritten);
  w.on('open', (fd) => log('open', typeof fd));
  w.on('ready', () => log('ready'));
  w.on('finish', () => log('finish', w.bytesWritten));
  w.on('close', () => log('close', w.destroyed));
  log('write', w.write('hello ', () => log('cb 1')));
  log('write', w.write(Buffer.from('world'), () => log('cb 2')));
  w.end('!', () => log('end cb'));
  await new Promise((resolve) => w.on('close', resolve));
  log('content', fs.readFileSync(file, 'utf8'));

  const w2 = fs.createWriteStream(file, { flags: 'r+', start: 6 });
  w2.end('WORLD');
  await new Promise((resolve) => w2.on('close', resolve));
  log('content', fs.readFileSync(file, 'utf8'), w2.bytesWritten);

  const w3 = fs.createWriteStream(file, { flags: 'a' });
  w3.write('12');
  w3.end('34');
  await new Promise((resolve) => w3.on('close', resolve));
  log('content', fs.readFileSync(file, 'utf8'));

  const w4 = fs.createWriteStream(dir);
  w4.on('error', (e) => log('error', e, e.errno, e.syscall, path.basename(e.path) === path.basename(dir)));
  w4.on('close', () => log('close', w4.destroyed));
  w4.write('x', (e) => log('write cb', e));
})();

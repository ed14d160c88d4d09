// Ported from test/parallel/test-fs-read-stream-err.js and test-fs-stream-construct-compat-error-read.js:
// a missing file errors at open (ENOENT, errno -2, syscall 'open', the path), a
// directory opens and errors at the first read (EISDIR, syscall 'read'); 'close' follows.
'use strict';
const fs = require('fs');
const os = require('os');
const path = require('path');
const { log } = require('../lib/log.js');

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tns-fs-'));
process.on('exit', () => fs.rmSync(dir, { recursive: true, force: true }));

(async () => {
  for (const target of [path.join(dir, 'missing.txt'), dir]) {
    const r = fs.createReadStream(target);
    r.on('open', () => log('open'));
    r.on('ready', () => log('ready'));
    r.on('data', (c) => log('data', c));
    r.on('end', () => log('end'));
    r.on('error', (e) => log('error', e, e.errno, e.syscall, e.path === undefined ? null : path.basename(e.path)));
    await new Promise((resolve) => r.on('close', resolve));
    log('close', r.destroyed);
  }
})();

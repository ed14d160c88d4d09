// Ported from test/parallel/test-fs-read-stream.js and test-fs-read-stream-fd-leak.js:
// a file read in highWaterMark-sized chunks: 'open' (with a descriptor), 'ready', the
// data, 'end', then 'close'; pending, bytesRead and path along the way.
'use strict';
const fs = require('fs');
const os = require('os');
const path = require('path');
const { log } = require('../lib/log.js');

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tns-fs-'));
process.on('exit', () => fs.rmSync(dir, { recursive: true, force: true }));
const file = path.join(dir, 'ten.txt');
fs.writeFileSync(file, '0123456789');

const r = fs.createReadStream(file, { highWaterMark: 4 });
log('pending', r.pending, 'bytesRead', r.bytesRead, 'path', path.basename(r.path));
r.on('open', (fd) => log('open', typeof fd, r.pending));
r.on('ready', () => log('ready'));
r.on('data', (c) => log('data', c, r.bytesRead));
r.on('end', () => log('end', r.bytesRead));
r.on('close', () => log('close', r.destroyed));

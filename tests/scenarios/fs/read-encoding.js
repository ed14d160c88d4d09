// Ported from test/parallel/test-fs-read-stream-encoding.js: encoding decodes across
// chunk boundaries (a multi-byte character split by highWaterMark).
'use strict';
const fs = require('fs');
const os = require('os');
const path = require('path');
const { log } = require('../lib/log.js');

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tns-fs-'));
process.on('exit', () => fs.rmSync(dir, { recursive: true, force: true }));
const file = path.join(dir, 'utf8.txt');
fs.writeFileSync(file, 'aé€😀z');

const r = fs.createReadStream(file, { highWaterMark: 3, encoding: 'utf8' });
r.on('data', (c) => log('data', c));
r.on('end', () => log('end', r.bytesRead));
r.on('close', () => log('close'));

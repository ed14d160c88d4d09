'use strict';
// Node's side of bench/fszlib_bench.py.
//   node node_fszlib.js copy SRC DST          fs.createReadStream(SRC) -> fs.createWriteStream(DST)
//   node node_fszlib.js gzip FILE LEVEL        gzip FILE's bytes, 64 KiB chunks, output counted
//   node node_fszlib.js gunzip FILE            gunzip FILE (gzip data), output counted
// Prints one JSON line: {"seconds": ..., "bytes": ...}.
const fs = require('fs');
const zlib = require('zlib');
const { pipeline, Writable } = require('stream');

const [mode, a, b] = process.argv.slice(2);
const t0 = process.hrtime.bigint();
const done = (bytes) => {
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  process.stdout.write(JSON.stringify({ seconds, bytes }) + '\n');
};
const counter = () => {
  let n = 0;
  const w = new Writable({ write(c, e, cb) { n += c.length; cb(); } });
  w.count = () => n;
  return w;
};

if (mode === 'copy') {
  pipeline(fs.createReadStream(a), fs.createWriteStream(b), (err) => {
    if (err) throw err;
    done(fs.statSync(b).size);
  });
} else if (mode === 'gzip' || mode === 'gunzip') {
  const data = fs.readFileSync(a);
  const sink = counter();
  const z = mode === 'gzip' ? zlib.createGzip({ level: Number(b) }) : zlib.createGunzip();
  const t1 = process.hrtime.bigint();
  pipeline(
    (function* chunks() { for (let i = 0; i < data.length; i += 65536) yield data.subarray(i, i + 65536); })(),
    z, sink,
    (err) => {
      if (err) throw err;
      const seconds = Number(process.hrtime.bigint() - t1) / 1e9;
      process.stdout.write(JSON.stringify({ seconds, bytes: data.length, out: sink.count() }) + '\n');
    });
}

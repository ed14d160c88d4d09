'use strict';
// Anchor: chunks/s through Readable -> Transform -> Writable with stream.pipeline.
// Usage: node bench/node_pipeline.js KIND COUNT [REPS] [HWM]
//   KIND: 64k | 1k | obj. Prints one JSON object on stdout (best of REPS runs,
//   after one warm-up run of COUNT/10 chunks).
// The source pushes one pre-made chunk repeatedly (no allocation per chunk), the
// transform passes each chunk through, the sink acknowledges at once. The same
// shape is measured for trio_nodestreams by bench/streams_trio.py.

const { Readable, Transform, Writable, pipeline } = require('stream');

const [kind, countArg, repsArg, hwmArg] = process.argv.slice(2);
const count = Number(countArg);
const reps = repsArg !== undefined ? Number(repsArg) : 3;
const objectMode = kind === 'obj';
const chunk = objectMode ? { n: 1 } : Buffer.alloc(kind === '64k' ? 65536 : 1024, 0x61);
const hwm = hwmArg !== undefined ? Number(hwmArg) : (objectMode ? 16 : 16384);

function runOnce(n) {
  return new Promise((resolve, reject) => {
    let pushed = 0;
    let ended = false;
    const source = new Readable({
      objectMode,
      highWaterMark: hwm,
      read() {
        if (ended) return;
        while (pushed < n) {
          pushed++;
          if (!this.push(chunk)) return;
        }
        ended = true;
        this.push(null);
      },
    });
    const transform = new Transform({
      objectMode,
      highWaterMark: hwm,
      transform(c, enc, cb) { cb(null, c); },
    });
    let seen = 0;
    const sink = new Writable({
      objectMode,
      highWaterMark: hwm,
      write(c, enc, cb) { seen++; cb(); },
    });
    const t0 = process.hrtime.bigint();
    pipeline(source, transform, sink, (err) => {
      const dt = Number(process.hrtime.bigint() - t0) / 1e9;
      if (err) reject(err);
      else if (seen !== n) reject(new Error(`sink saw ${seen} of ${n}`));
      else resolve(dt);
    });
  });
}

(async () => {
  await runOnce(Math.max(1, Math.floor(count / 10)));  // warm-up (JIT)
  const runs = [];
  for (let i = 0; i < reps; i++) runs.push(await runOnce(count));
  const seconds = Math.min(...runs);
  const bytes = objectMode ? null : chunk.length * count;
  process.stdout.write(JSON.stringify({
    impl: 'node_pipeline', kind, count, hwm, seconds, runs,
    chunks_per_s: count / seconds,
    mb_per_s: bytes === null ? null : bytes / seconds / 1e6,
    node: process.version,
  }) + '\n');
})().catch((err) => { console.error(err); process.exit(1); });

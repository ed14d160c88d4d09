'use strict';
// Port of test/parallel/test-stream-map.js, test-stream-filter.js, test-stream-some-find-every.mjs, test-stream-reduce.js, test-stream-drop-take.js.
const { log } = require('../lib/log.js');
const { Readable } = require('stream');

async function main() {
  log('map', await Readable.from([1, 2, 3, 4]).map(async (x) => x * 2).toArray());
  log('map-conc', await Readable.from([1, 2, 3, 4]).map((x) => x + 1, { concurrency: 2 }).toArray());
  log('filter', await Readable.from([1, 2, 3, 4]).filter((x) => x % 2 === 0).toArray());
  log('flatMap', await Readable.from([1, 2]).flatMap((x) => [x, x]).toArray());
  log('take', await Readable.from([1, 2, 3, 4]).take(2).toArray());
  log('drop', await Readable.from([1, 2, 3, 4]).drop(3).toArray());
  log('reduce', await Readable.from([1, 2, 3, 4]).reduce((a, b) => a + b, 10));
  log('reduce-no-init', await Readable.from([1, 2, 3, 4]).reduce((a, b) => a * b));
  try { await Readable.from([]).reduce((a, b) => a + b); } catch (err) { log('reduce-empty', err); }
  log('some', await Readable.from([1, 2, 3]).some((x) => x > 2), await Readable.from([1]).some((x) => x > 2));
  log('every', await Readable.from([1, 2, 3]).every((x) => x > 0), await Readable.from([1, 2]).every((x) => x > 1));
  log('find', await Readable.from([1, 2, 3]).find((x) => x > 1), await Readable.from([1]).find((x) => x > 1));
  const seen = [];
  await Readable.from([1, 2]).forEach((x) => { seen.push(x); });
  log('forEach', seen);
  const src = Readable.from([1, 2, 3, 4, 5]);
  log('take-destroys', await src.take(1).toArray(), src.destroyed);
}
main();

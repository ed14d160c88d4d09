'use strict';
// Port of test/parallel/test-stream-transform-split-objectmode.js: object mode
// on one side only, with that side's default highWaterMark.
const { Transform } = require('stream');
const { log } = require('../lib/log.js');

const parser = new Transform({ readableObjectMode: true, writableHighWaterMark: 1024 });
log('parser', parser.readableObjectMode, parser.writableObjectMode, parser.readableHighWaterMark, parser.writableHighWaterMark);
parser._transform = function(chunk, enc, callback) { callback(null, { val: chunk[0] }); };
parser.on('data', (obj) => log('parsed', obj));
parser.end(Buffer.from([42]));

const serializer = new Transform({ writableObjectMode: true, readableHighWaterMark: 1024 });
log('serializer', serializer.readableObjectMode, serializer.writableObjectMode, serializer.readableHighWaterMark, serializer.writableHighWaterMark);
serializer._transform = function(obj, _, callback) { callback(null, Buffer.from([obj.val])); };
serializer.on('data', (chunk) => log('serialized', chunk));
serializer.write({ val: 42 });

// Port of test/parallel/test-event-emitter-remove-all-listeners.js: removeAllListeners(name)
// emits 'removeListener' for each, last added first; with no name it clears every event and
// removes 'removeListener' listeners last.
'use strict';
const EventEmitter = require('events');
const { log } = require('../lib/log.js');

const e = new EventEmitter();
const a = () => {};
const b = () => {};
const c = () => {};
e.on('foo', a);
e.on('foo', b);
e.on('bar', c);
e.on('baz', a);
e.on('removeListener', (name, fn) => log('removeListener', name, fn === a ? 'a' : fn === b ? 'b' : fn === c ? 'c' : 'other'));
e.removeAllListeners('foo');
log('names', e.eventNames());
e.removeAllListeners();
log('names', e.eventNames());

// Port of test/parallel/test-event-emitter-remove-listeners.js: removing a listener during an
// emit does not stop the listeners captured by that emit; the next emit sees the change.
'use strict';
const EventEmitter = require('events');
const { log } = require('../lib/log.js');

const e = new EventEmitter();
const b = () => log('b');
const c = () => log('c');
const a = () => {
  log('a');
  e.removeListener('x', b);
  e.removeListener('x', a);
};
e.on('x', a);
e.on('x', b);
e.on('x', c);
log('emit', e.emit('x'));
log('emit', e.emit('x'));
const adder = () => {
  log('adder');
  e.on('y', () => log('added'));
};
e.on('y', adder);
e.emit('y');
log('y count', e.listenerCount('y'));
const f = () => log('f');
e.once('z', () => e.removeListener('z', f));
e.on('z', f);
e.emit('z');
e.emit('z');
log('remove unknown returns self', e.removeListener('nope', f) === e);

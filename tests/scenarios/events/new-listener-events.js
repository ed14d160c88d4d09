// Port of test/parallel/test-event-emitter-add-listeners.js and
// test-event-emitter-remove-listeners.js: 'newListener' fires before the listener is added,
// 'removeListener' after it is removed, with the original function for once() listeners.
'use strict';
const EventEmitter = require('events');
const { log } = require('../lib/log.js');

const e = new EventEmitter();
const foo = () => log('foo');
const bar = () => log('bar');
e.on('newListener', (name, fn) => {
  if (name === 'newListener') return;
  log('newListener', name, fn === foo, fn === bar, e.listenerCount(name));
});
e.on('removeListener', (name, fn) => log('removeListener', name, fn === foo, fn === bar, e.listenerCount(name)));
e.on('hello', foo);
e.once('hello', bar);
e.prependListener('other', foo);
e.emit('hello');
e.removeListener('hello', foo);
e.removeListener('hello', foo);
e.off('other', foo);
log('names', e.eventNames());
const g = new EventEmitter();
let added = false;
g.on('newListener', (name) => {
  if (name === 'event' && !added) {
    added = true;
    g.on('event', () => log('B'));
  }
});
g.on('event', () => log('A'));
g.emit('event');

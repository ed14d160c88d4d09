// Port of test/parallel/test-event-emitter-listeners.js, test-event-emitter-listener-count.js and
// test-event-emitter-get-max-listeners.js: listenerCount, listeners (unwrapped),
// rawListeners (once wrappers), eventNames order, removeAllListeners, maxListeners.
'use strict';
const EventEmitter = require('events');
const { log } = require('../lib/log.js');

const e = new EventEmitter();
const l1 = () => log('l1');
const l2 = () => log('l2');
log('empty', e.eventNames(), e.listenerCount('a'), e.listeners('a').length);
e.on('b', l1);
e.once('a', l2);
e.on('a', l1);
e.on('c', l2);
log('names', e.eventNames());
log('count', e.listenerCount('a'), e.listenerCount('b'), e.listenerCount('zz'));
const ls = e.listeners('a');
log('listeners', ls.length, ls[0] === l2, ls[1] === l1);
const raw = e.rawListeners('a');
log('raw', raw.length, raw[0] === l2, raw[0].listener === l2, raw[1] === l1);
ls.pop();
log('copy', e.listenerCount('a'));
raw[0]();
log('after calling once wrapper', e.listenerCount('a'));
log('default max', e.getMaxListeners(), EventEmitter.defaultMaxListeners);
log('set max returns self', e.setMaxListeners(3) === e, e.getMaxListeners());
log('removeAll one returns self', e.removeAllListeners('c') === e, e.eventNames());
e.removeAllListeners();
log('removeAll', e.eventNames());

// Port of test/parallel/test-event-emitter-prepend.js and test-event-emitter-once.js: the call
// order of on, once, prependListener and prependOnceListener, over two emits.
'use strict';
const EventEmitter = require('events');
const { log } = require('../lib/log.js');

const e = new EventEmitter();
e.on('x', (...args) => log('on 1', args));
e.once('x', (...args) => log('once 2', args));
e.prependListener('x', (...args) => log('prepend 3', args));
e.prependOnceListener('x', (...args) => log('prependOnce 4', args));
e.on('x', (...args) => log('on 5', args));
log('count', e.listenerCount('x'));
log('emit', e.emit('x', 'a', 1));
log('count', e.listenerCount('x'));
log('emit', e.emit('x', 'b'));
const same = () => log('same');
e.on('y', same);
e.on('y', same);
log('same count', e.listenerCount('y'));
e.emit('y');
e.removeListener('y', same);
log('same count after one remove', e.listenerCount('y'));

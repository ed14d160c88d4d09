'use strict';
// Node's answers to the raw requests of tests/hostile/cases.py (see tests/hostile/probe_node.js).
require('../../hostile/probe_node.js');

// chevrotain's package entry pulls in ~300 lodash-es modules, about 200 ms at every start of the
// CLI; the package also ships itself as one bundled file, which loads in ~12 ms. Load that one
// (same version, same code), falling back to the entry if a future release moves it.
// Loaded with require (Node 20.19+ loads ES modules that way, synchronously) rather than a
// top-level await, so that `require('@sisflow/core')` works and bundlers can inline the module.
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type * as Chevrotain from 'chevrotain';

const require = createRequire(import.meta.url);
const entry = require.resolve('chevrotain'); // …/chevrotain/lib/src/api.js
const bundle = join(dirname(entry), '..', 'chevrotain.min.mjs');
const chevrotain = require(existsSync(bundle) ? bundle : 'chevrotain') as typeof Chevrotain;

export const { createToken, Lexer, EmbeddedActionsParser } = chevrotain;

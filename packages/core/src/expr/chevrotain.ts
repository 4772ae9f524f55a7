// chevrotain's package entry pulls in ~300 lodash-es modules, about 200 ms at every start of the
// CLI; the package also ships itself as one bundled file, which loads in ~12 ms. Load that one
// (same version, same code), falling back to the entry if a future release moves it.
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type * as Chevrotain from 'chevrotain';

const entry = createRequire(import.meta.url).resolve('chevrotain'); // …/chevrotain/lib/src/api.js
const bundle = join(dirname(entry), '..', 'chevrotain.min.mjs');
const chevrotain = (existsSync(bundle) ? await import(pathToFileURL(bundle).href) : await import('chevrotain')) as typeof Chevrotain;

export const { createToken, Lexer, EmbeddedActionsParser } = chevrotain;

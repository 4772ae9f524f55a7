// The generated reference pages match the code (run `pnpm run docs` after changing codes or functions).
import { readFileSync } from 'node:fs';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { diagnosticsPage, functionsPage, projectSchemaFile, schemaFile } from '../../../scripts/gen-docs.js';

const read = (p: string) => readFileSync(new URL(`../../../${p}`, import.meta.url), 'utf8');

test('docs/diagnostics.md lists every code', () => assert.is(read('docs/diagnostics.md'), diagnosticsPage()));
test('docs/functions.md lists every function', () => assert.is(read('docs/functions.md'), functionsPage()));
test('docs/sisflow.schema.json is the current schema', () => assert.is(read('docs/sisflow.schema.json'), schemaFile()));
test('docs/sisflow-project.schema.json is the current project file schema', () => assert.is(read('docs/sisflow-project.schema.json'), projectSchemaFile()));
test('every example spec names the schema for editors', () => {
  assert.match(read('examples/destiny/patrons.yaml'), '# yaml-language-server: $schema=../../docs/sisflow.schema.json');
});

test.run();

// The JSON Schema sisflow publishes for editors (docs/sisflow.schema.json, `sisflow schema`)
// accepts every spec `validate` accepts: references where values go, lists from parameters
// (issue 23, item 10). Checked with ajv, as an editor's language server would.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv } from 'ajv';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parse } from 'yaml';
import { specSchemaFor } from '@sisflow/core';
import { defaultRegistry } from '@sisflow/connectors';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const examples = readdirSync(join(ROOT, 'examples'), { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.yaml') && !f.includes('sample'));
const validate = new Ajv({ allErrors: true, strict: false }).compile(specSchemaFor(defaultRegistry()));

test('every example spec is valid against the published schema', () => {
  assert.ok(examples.length >= 5, examples.join());
  for (const f of examples) {
    const ok = validate(parse(readFileSync(join(ROOT, 'examples', f), 'utf8')));
    assert.ok(ok, `${f}: ${JSON.stringify(validate.errors?.slice(0, 3))}`);
  }
});

test('references are accepted where values go; a plain wrong value is still refused', () => {
  const spec = (conn: string) => ({ sisflow: 1, name: 't', connections: { out: conn }, sources: { s: { from: 'out', path: 'a.csv', columns: { A: 'int' } } }, outputs: { o: { from: 's', to: 'out', path: 'b.csv' } } });
  const sftp = { use: 'sftp', host: '${env:H}', port: '${param:port}', username: 'u', password: '${secret:p}', host_key: '${env:DESTINY_SFTP_HOST_KEY}', dir: 'out/${param:district}' };
  assert.ok(validate(spec(sftp as never)), JSON.stringify(validate.errors));
  assert.not.ok(validate(spec({ ...sftp, host_key: 'MD5:aa' } as never)), 'a fingerprint that is not one is still an error');
  assert.not.ok(validate(spec({ ...sftp, port: 'twenty-two' } as never)), 'a port that is not a number is still an error');
});

test('the committed docs/sisflow.schema.json is the schema `sisflow schema` prints', () => {
  assert.equal(JSON.parse(readFileSync(join(ROOT, 'docs/sisflow.schema.json'), 'utf8')), JSON.parse(JSON.stringify(specSchemaFor(defaultRegistry()))));
});

test.run();

import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { environmentSecrets } from '@sisflow/connectors';

test('a secret is found by its name as written or in upper case, in the environment or the secrets folder', () => {
  assert.is(environmentSecrets({ SISFLOW_SECRET_destiny_sftp_password: 'a' }).secret('destiny_sftp_password'), 'a');
  assert.is(environmentSecrets({ SISFLOW_SECRET_DESTINY_SFTP_PASSWORD: 'b' }).secret('destiny_sftp_password'), 'b');
  const dir = mkdtempSync(join(tmpdir(), 'sisflow-secrets-'));
  writeFileSync(join(dir, 'AERIES_SQL_PASSWORD'), 'from-file\n');
  assert.is(environmentSecrets({ SISFLOW_SECRETS_DIR: dir }).secret('aeries_sql_password'), 'from-file');
  assert.is(environmentSecrets({}).secret('nothing'), undefined);
  // The same value under both spellings is not ambiguous.
  assert.is(environmentSecrets({ SISFLOW_SECRET_x_y: 'same', SISFLOW_SECRET_X_Y: 'same' }).secret('x_y'), 'same');
});

test('two spellings with different values are an error that names both and shows neither value', () => {
  const s = environmentSecrets({ SISFLOW_SECRET_pw: 'one-value', SISFLOW_SECRET_PW: 'other-value' });
  try {
    s.secret('pw');
    assert.unreachable();
  } catch (e) {
    const m = (e as Error).message;
    assert.match(m, 'SISFLOW_SECRET_pw and SISFLOW_SECRET_PW');
    assert.not.ok(m.includes('one-value') || m.includes('other-value'), m);
  }
});

test.run();

// SQL-injection strings in params reach SQL only as parameters (issue 21, item 9): the T-SQL
// text the mssql connector sends and the SQLite text hold placeholders, never the value, and a
// run on the demo database with such a param reads nothing and changes nothing.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type BetterSqlite3 from 'better-sqlite3';
import { compile, type PlanSource } from '@sisflow/core';
import { defaultRegistry } from '@sisflow/connectors';
import { tableQuery } from '../src/mssql/mssql-read.js';
import { runSpec } from './sftp-helpers.js';

const Database = createRequire(import.meta.url)('better-sqlite3') as typeof BetterSqlite3;
const registry = defaultRegistry();
const HOSTILE = ["x'; DROP TABLE STU; --", "' OR '1'='1", "O'Brien]; DELETE FROM STU; --", 'a\\\'; EXEC xp_cmdshell \'dir\' --'];

const spec = (db: string) => `sisflow: 1
name: injection
params:
  name: { type: string, default: nobody }
  names: { type: "list<string>", default: [nobody] }
connections:
  db: ${db}
  out: { use: files, dir: out }
sources:
  stu:
    from: db
    table: STU
    columns: [ID, SC, LN]
    where: LN = $name or FN in $names or LN || FN = $name
outputs:
  o: { from: stu, to: out, path: o.csv }
`;

test('mssql: the T-SQL text has only placeholders; each hostile value is a typed parameter', () => {
  for (const value of HOSTILE) {
    const r = compile(spec('{ use: mssql, server: s, database: d, user: u, password: "${secret:p}" }'), 't.yaml', { registry, params: { name: value, names: `${value},plain` } });
    assert.equal(r.diagnostics.filter((d) => d.severity === 'error').map((d) => d.message), []);
    const src = r.plan!.steps.find((s) => s.kind === 'source') as PlanSource;
    const p = src.filter!.pushdown!;
    const schema = src.schema.map((c) => ({ name: c.name, type: { kind: c.type.replace('?', '') as 'string', nullable: c.type.endsWith('?') } }));
    const sql = tableQuery({ connection: {}, settings: src.settings, schema, batchSize: 1, filter: { sql: p.sql, parameters: p.parameters, types: p.types as never } });
    assert.not.ok(sql.includes(value) || sql.includes('DROP') || sql.includes('DELETE') || sql.includes('xp_cmdshell'), sql);
    assert.match(sql, '@p1');
    assert.ok(p.parameters.includes(value), JSON.stringify(p.parameters));
  }
});

test('sqlite: a run with hostile params reads no row and leaves the demo database as it was', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sisflow-injection-'));
  process.env.SISFLOW_DEMO_DIR = dir;
  for (const value of HOSTILE) {
    const { report } = await runSpec(spec('{ use: sqlite, demo: true }'), {}, { baseDir: dir, params: { name: value, names: `${value},plain` } });
    assert.ok(report.ok, report.error);
    assert.is(report.sources.stu!.rows, 0, value);
  }
  const db = new Database(join(dir, (await import('node:fs')).readdirSync(dir).find((f) => f.endsWith('.db'))!), { readonly: true });
  try {
    assert.ok((db.prepare('SELECT COUNT(*) AS n FROM STU').get() as { n: number }).n > 100, 'STU is still there, with its rows');
  } finally {
    db.close();
  }
});

test.run();

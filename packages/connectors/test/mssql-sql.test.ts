// The T-SQL the mssql connector generates, as text: table reads with pushed-down filters, the
// staging table and inserts, MERGE (with and without deletes), and least-privilege grants.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { compile, type PlanSource } from '@sisflow/core';
import { AERIES_CATALOG, createStageSql, defaultRegistry, grantsSql, mergeSql } from '@sisflow/connectors';
import { tableQuery } from '../src/mssql/mssql-read.js';

const registry = defaultRegistry();

function read(where: string, columns = '[ID, SC, LN, BD, DEL]', params = '') {
  const spec = `sisflow: 1
name: t
${params}connections:
  db: { use: mssql, server: s, database: d, user: u, password: "\${secret:p}" }
  out: { use: files, dir: out }
sources:
  stu:
    from: db
    table: STU
    columns: ${columns}
    where: ${JSON.stringify(where)}
outputs:
  o: { from: stu, to: out, path: o.csv }
`;
  const r = compile(spec, 't.yaml', { registry, today: '2026-11-23' });
  assert.equal(r.diagnostics.map((d) => d.message), []);
  const src = r.plan!.steps.find((s) => s.kind === 'source') as PlanSource;
  const p = src.filter?.pushdown;
  const schema = src.schema.map((c) => ({ name: c.name, type: { kind: c.type.replace('?', '') as 'string', nullable: c.type.endsWith('?') } }));
  return {
    sql: tableQuery({ connection: {}, settings: src.settings, schema, batchSize: 1, ...(p ? { filter: { sql: p.sql, parameters: p.parameters, types: p.types as never } } : {}) }),
    parameters: p?.parameters,
    types: p?.types,
    residual: src.filter?.residual,
  };
}

test('table reads: quoted catalog identifiers, key order, values only as typed parameters', () => {
  assert.equal(read("SC in $schools and LN = 'O''Brien' and BD >= date '2010-01-01'", undefined, 'params:\n  schools: { type: "list<int>", default: [991, 992] }\n'), {
    sql: "SELECT [ID], [SC], [LN], [BD], [DEL] FROM [dbo].[STU] WHERE ((([SC] IN (@p1, @p2)) AND ([LN] COLLATE Latin1_General_100_BIN2 = @p3 COLLATE Latin1_General_100_BIN2)) AND ([BD] >= @p4)) ORDER BY [SC], [SN]",
    parameters: [991, 992, "O'Brien", '2010-01-01'],
    types: ['int', 'int', 'string', 'date'],
    residual: [],
  });
  assert.equal(read('not DEL and GR > 5', '[ID, SC, GR]'), {
    sql: 'SELECT [ID], [SC], [GR] FROM [dbo].[STU] WHERE ((NOT ([DEL] = 1)) AND ([GR] > @p1)) ORDER BY [SC], [SN]',
    parameters: [5],
    types: ['int'],
    residual: [],
  });
});

test('what T-SQL cannot say stays in JavaScript', () => {
  const r = read("matches(LN, '^O') and SC = 991");
  assert.is(r.sql, 'SELECT [ID], [SC], [LN], [BD], [DEL] FROM [dbo].[STU] WHERE ([SC] = @p1) ORDER BY [SC], [SN]');
  assert.equal(r.residual, ["matches(LN, '^O')"]);
});

test('the staging table follows the catalog types', () => {
  const cse = AERIES_CATALOG.get('CSE')!;
  assert.is(createStageSql(cse, ['ID', 'RD']), 'CREATE TABLE #sisflow_stage ([ID] int NULL, [RD] date NULL)');
});

test('MERGE with delete_missing deletes rows missing from the output', () => {
  assert.is(
    mergeSql({ table: 'CSV', columns: ['ID', 'SQ', 'SV'], key: ['ID', 'SQ'], deleteMissing: true }),
    [
      'DECLARE @changes TABLE ([action] nvarchar(10));',
      'MERGE [dbo].[CSV] WITH (HOLDLOCK) AS t',
      'USING #sisflow_stage AS s ON t.[ID] = s.[ID] AND t.[SQ] = s.[SQ]',
      'WHEN MATCHED AND ((t.[SV] <> s.[SV] OR (t.[SV] IS NULL AND s.[SV] IS NOT NULL) OR (t.[SV] IS NOT NULL AND s.[SV] IS NULL))) THEN UPDATE SET t.[SV] = s.[SV]',
      'WHEN NOT MATCHED BY TARGET THEN INSERT ([ID], [SQ], [SV]) VALUES (s.[ID], s.[SQ], s.[SV])',
      'WHEN NOT MATCHED BY SOURCE THEN DELETE',
      'OUTPUT $action INTO @changes;',
      'SELECT [action], COUNT(*) AS [n] FROM @changes GROUP BY [action];',
    ].join('\n'),
  );
  assert.not.match(mergeSql({ table: 'CSV', columns: ['ID', 'SQ'], key: ['ID', 'SQ'], deleteMissing: false }), 'WHEN MATCHED');
});

test('MERGE with delete_missing within [ID] merges into the slice of the table the output mentions', () => {
  assert.is(
    mergeSql({ table: 'CSV', columns: ['ID', 'SQ', 'SV'], key: ['ID', 'SQ'], deleteMissing: ['ID'] }).split('\n').slice(1, 4).join('\n'),
    [
      'WITH target AS (SELECT * FROM [dbo].[CSV] WHERE EXISTS (SELECT 1 FROM #sisflow_stage AS w WHERE w.[ID] = [dbo].[CSV].[ID]))',
      'MERGE target WITH (HOLDLOCK) AS t',
      'USING #sisflow_stage AS s ON t.[ID] = s.[ID] AND t.[SQ] = s.[SQ]',
    ].join('\n'),
  );
});

test('grants: column-level SELECT for reads, SELECT/INSERT/UPDATE(/DELETE) for imports, nothing else', () => {
  const sql = grantsSql(
    {
      tables: [
        { name: 'STU', access: 'read', columns: ['ID', 'SC', 'DEL'] },
        { name: 'CSE', access: 'write', columns: ['ID', 'DI'] },
        { name: 'CSV', access: 'write', columns: ['ID', 'SQ'] },
      ],
      permissions: ['DELETE CSV'],
    },
    { spec: 'siras-import', planHash: 'abcdef0123456789', connection: 'aeries', database: 'DST26000', login: "o'hara" },
  );
  assert.is(
    sql,
    [
      '-- sisflow grants for siras-import (plan abcdef012345), connection aeries, database DST26000.',
      '-- Review, then run as a member of db_owner or db_securityadmin. Staging tables live in tempdb and need no grant.',
      'USE [DST26000];',
      "IF DATABASE_PRINCIPAL_ID(N'sisflow_siras_import') IS NULL CREATE ROLE [sisflow_siras_import];",
      'GRANT SELECT, INSERT, UPDATE ON [dbo].[CSE] TO [sisflow_siras_import];',
      'GRANT SELECT, INSERT, UPDATE, DELETE ON [dbo].[CSV] TO [sisflow_siras_import];',
      'GRANT SELECT ON [dbo].[STU] ([ID], [SC], [DEL]) TO [sisflow_siras_import];',
      "IF DATABASE_PRINCIPAL_ID(N'o''hara') IS NULL CREATE USER [o'hara] FOR LOGIN [o'hara];",
      "ALTER ROLE [sisflow_siras_import] ADD MEMBER [o'hara];",
    ].join('\n'),
  );
});

test.run();

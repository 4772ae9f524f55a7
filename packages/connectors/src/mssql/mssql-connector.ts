// `use: mssql` — Aeries on Microsoft SQL Server. Sources read catalog tables (or one explicit
// query) through a read-only connection, streamed; outputs apply rows to an Aeries table with one
// MERGE inside one transaction. The driver (mssql + tedious) loads on first use.
import { didYouMean, parseTypeName, type Connector, type DescribeContext, type SinkDescription } from '@sisflow/core';
import { AERIES_CATALOG } from '../aeries/catalog.js';
import { sqlTypeToType } from '../aeries/column-types.js';
import { describeTableSource, TABLE_SOURCE_SETTINGS } from '../aeries/table-source.js';
import { declaredSchema } from '../files/files-connector.js';
import { targetName } from './mssql-sql.js';

const TABLE_PROPS = TABLE_SOURCE_SETTINGS.properties as Record<string, unknown>;

export const mssqlConnector: Connector = {
  name: 'mssql',
  summary: 'Aeries on SQL Server: streamed, read-only table reads; imports applied with one MERGE in one transaction',
  connection: {
    type: 'object',
    required: ['server', 'database', 'user', 'password'],
    additionalProperties: false,
    properties: {
      server: { type: 'string', minLength: 1, description: 'host name or address of the SQL Server' },
      port: { type: 'integer', minimum: 1, maximum: 65535, default: 1433 },
      instance: { type: 'string', minLength: 1, description: 'named instance (instead of port), e.g. AERIES' },
      database: { type: 'string', minLength: 1, description: 'the Aeries database, e.g. DST26000AUSD' },
      user: { type: 'string', minLength: 1, description: 'a SQL login with only the grants `sisflow grants` prints' },
      password: { type: 'string', description: 'a ${secret:…} reference' },
      encrypt: { type: 'boolean', default: true, description: 'TLS (1.2 or newer) for the whole connection' },
      trust_server_certificate: { type: 'boolean', default: false, description: "accept a certificate no trusted authority signed (only for a server you control)" },
      connect_timeout_seconds: { type: 'number', exclusiveMinimum: 0, maximum: 600, default: 15 },
      request_timeout_seconds: { type: 'number', minimum: 0, maximum: 86400, default: 600, description: 'longest a statement may run (0: no limit)' },
      application_name: { type: 'string', minLength: 1, default: 'sisflow', description: 'shown in SQL Server activity and audit logs' },
    },
  },
  secretSettings: ['password'],
  checkConnection: ({ connection, report }) => {
    if (connection.port !== undefined && connection.instance !== undefined) {
      report('SF408', '`port` and `instance` together', ['instance'], 'a named instance is found through the SQL Browser service; give one or the other');
    }
  },
  source: {
    settings: {
      type: 'object',
      additionalProperties: false,
      properties: {
        ...TABLE_PROPS,
        columns: {
          type: ['array', 'object'],
          items: { type: 'string' },
          minItems: 1,
          uniqueItems: true,
          additionalProperties: { type: 'string' },
          description: 'table: the columns to read (default: all catalog columns); query: each column with its type',
        },
        query: { type: 'string', minLength: 1, description: 'an explicit SELECT (for what a table read cannot say); needs `columns` with types' },
        parameters: { type: 'object', additionalProperties: { type: ['string', 'number', 'boolean'] }, description: 'values for @name parameters of `query`' },
      },
    },
    describe: (ctx) => {
      if (ctx.settings.query !== undefined) return describeQuery(ctx);
      if (ctx.settings.table === undefined) {
        ctx.report('SF402', 'an mssql source needs `table` (or `query` with typed `columns`)', [], 'add `table: STU`');
        return undefined;
      }
      return describeTableSource(ctx, 'tsql');
    },
    read: async function* (req, ctx) {
      yield* (await import('./mssql-read.js')).readMssql(req, ctx);
    },
  },
  sink: {
    settings: {
      type: 'object',
      required: ['table', 'key'],
      additionalProperties: false,
      properties: {
        table: { type: 'string', description: 'the Aeries table rows are applied to' },
        key: { type: 'array', items: { type: 'string' }, minItems: 1, uniqueItems: true, description: 'columns that identify a row (matched for update)' },
        delete_missing: { type: 'boolean', default: false, description: 'delete rows of the table whose key is not in the output' },
      },
    },
    describe: describeMerge,
    write: async (req, ctx) => (await import('./mssql-write.js')).writeMssql(req, ctx),
  },
};

function describeQuery(ctx: DescribeContext) {
  const query = String(ctx.settings.query);
  if (!/^\s*(select|with)\b/i.test(query)) {
    ctx.report('SF405', '`query` must be a SELECT (or WITH … SELECT)', ['query'], 'sources only read; imports go through an output');
    return undefined;
  }
  if (ctx.settings.table !== undefined) {
    ctx.report('SF408', '`query` and `table` together', ['query'], 'read a catalog table with `table:`, or write the SELECT yourself with `query:`');
    return undefined;
  }
  const columns = ctx.settings.columns;
  if (!columns || Array.isArray(columns) || typeof columns !== 'object') {
    ctx.report('SF402', 'a `query` needs `columns` with a type for each (`{ ID: int, LN: string }`)', ['query'], 'the types cannot be read from a free-form query before it runs');
    return undefined;
  }
  for (const [name, t] of Object.entries(columns as Record<string, unknown>)) {
    if (typeof t !== 'string' || !parseTypeName(t)) {
      ctx.report('SF404', `\`${String(t)}\` is not a column type`, ['columns', name], 'string, int, decimal, bool, date or datetime, with ? when it may be null');
      return undefined;
    }
  }
  return { schema: declaredSchema(columns as Record<string, string>) };
}

function describeMerge(ctx: DescribeContext & { schema: import('@sisflow/core').RowSchema }): SinkDescription | undefined {
  const name = String(ctx.settings.table);
  const table = AERIES_CATALOG.get(name) ?? AERIES_CATALOG.get(name.toUpperCase());
  if (!table) {
    ctx.report('SF209', `\`${name}\` is not a table in the Aeries catalog`, ['table'], didYouMean(name, AERIES_CATALOG.keys()) ?? 'add the table to the catalog first');
    return undefined;
  }
  let ok = true;
  for (const col of ctx.schema) {
    const c = table.columns.find((x) => x.name === col.name);
    if (!c) {
      ok = false;
      ctx.report('SF208', `the output has a column \`${col.name}\`, which ${table.name} does not have`, ['table'], didYouMean(col.name, table.columns.map((x) => x.name)) ?? `name the step's columns after ${table.name}'s`);
      continue;
    }
    const want = sqlTypeToType(c.sql, c.nullable ?? false);
    if (want.kind !== col.type.kind && !(want.kind === 'decimal' && col.type.kind === 'int')) {
      ok = false;
      ctx.report('SF306', `\`${col.name}\` is ${col.type.kind}, but ${table.name}.${c.name} is ${c.sql}`, ['table'], `convert it in the step, e.g. with ${want.kind === 'string' ? 'text()' : `to_${want.kind}()`}`);
    }
  }
  (ctx.settings.key as string[]).forEach((k, i) => {
    if (!ctx.schema.some((c) => c.name === k)) {
      ok = false;
      ctx.report('SF208', `key column \`${k}\` is not a column of the output`, ['key', i], didYouMean(k, ctx.schema.map((c) => c.name)));
    }
  });
  if (!ok) return undefined;
  const deletes = ctx.settings.delete_missing === true;
  return {
    target: `${String(ctx.connection.database ?? '')}.${targetName(table.name)}`,
    needs: { tables: [{ name: table.name, access: 'write', columns: ctx.schema.map((c) => c.name) }], ...(deletes ? { permissions: [`DELETE ${table.name}`] } : {}) },
  };
}

// `use: mssql` — Aeries on Microsoft SQL Server. Sources read catalog tables (or one explicit
// query) through a read-only connection, streamed; outputs apply rows to an Aeries table with one
// MERGE inside one transaction. The driver (mssql + tedious) loads on first use.
import { parseTypeName, type Connector, type DescribeContext } from '@sisflow/core';
import { describeTableSink, TABLE_SINK_SETTINGS } from '../aeries/table-sink.js';
import { describeTableSource, TABLE_SOURCE_SETTINGS } from '../aeries/table-source.js';
import { declaredSchema } from '../csv/csv-settings.js';
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
  // `sisflow doctor`: login and the grants the spec needs, reading no rows.
  checkAccess: async (req) => (await import('./mssql-access.js')).checkMssqlAccess(req),
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
    settings: TABLE_SINK_SETTINGS,
    describe: (ctx) => describeTableSink(ctx, (table) => `${String(ctx.connection.database ?? '')}.${targetName(table)}`),
    write: async (req, ctx) => (await import('./mssql-write.js')).writeMssql(req, ctx),
  },
};

/** The @name placeholders of a query, outside string literals and comments (@@ROWCOUNT is not one). */
function queryPlaceholders(query: string): string[] {
  const code = query.replace(/'(?:[^']|'')*'/g, "''").replace(/--.*$/gm, '').replace(/\/\*[\s\S]*?\*\//g, '');
  return [...new Set([...code.matchAll(/(?<![@\w])@([A-Za-z_][A-Za-z0-9_]*)/g)].map((m) => m[1]!))];
}

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
  const given = Object.keys((ctx.settings.parameters as Record<string, unknown> | undefined) ?? {});
  const missing = queryPlaceholders(query).filter((p) => !given.includes(p));
  if (missing.length > 0) {
    const list = missing.map((m) => `@${m}`).join(', ');
    ctx.report('SF409', `\`query\` uses ${list}, which \`parameters:\` does not give a value`, ['query'], `add \`parameters: { ${missing.map((m) => `${m}: \${param:${m}}`).join(', ')} }\` beside the query (a value or a \${param:…} reference)`);
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

// `use: records-transfer` — district-to-district student records. As an output (send.yaml) it
// gathers one student's rows of each table and, once every output of the run is staged, signs
// them, encrypts them to the receiving district's registered key and delivers them to that
// district's service — nothing is kept. As a source (receive.yaml) it opens a received package
// (decrypt with this district's key, verify the sender against the registry) and reads a table.
import type { Connector, DescribeContext, RowSchema } from '@sisflow/core';
import { AERIES_CATALOG } from '../aeries/catalog.js';
import { tableSchema } from '../aeries/column-types.js';
import { HTTPS_CONNECTION_SETTINGS } from '../http/https-settings.js';

const TABLE = { type: 'string', description: 'the Aeries table the rows are (TST, CST, CTS, HIS, …): a catalog table keyed by the student ID' } as const;

export const recordsTransferConnector: Connector = {
  name: 'records-transfer',
  summary: 'student records between districts: signed, encrypted to the receiving district and delivered point to point (output); a received package, verified and decrypted (source)',
  connection: {
    type: 'object',
    required: ['district', 'registry', 'operator_key'],
    additionalProperties: false,
    properties: {
      district: { type: 'string', pattern: '^[A-Za-z0-9-]{1,20}$', description: "this district's code in the registry" },
      registry: { type: 'string', minLength: 1, description: 'the signed registry: a file (relative to the spec) or an https:// address' },
      operator_key: { type: 'string', pattern: '^[A-Za-z0-9_-]{43}$', description: "thumbprint of the registry operator's key, pinned: a registry signed by any other key is refused" },
      signing_key: { type: 'string', description: "this district's private signing key (`sisflow transfer keys`), as ${secret:…}; needed to send" },
      encryption_key: { type: 'string', description: "this district's private encryption key, as ${secret:…}; needed to read a package" },
      to: { type: 'string', pattern: '^[A-Za-z0-9-]{1,20}$', description: 'sending: the receiving district (its registry code); its address and key come from the registry' },
      request: { type: 'string', pattern: '^[A-Za-z0-9-]{8,64}$', description: 'the request: sending, the approved request the package answers; reading, the request whose package is read' },
      packages_dir: { type: 'string', minLength: 1, description: "reading: the folder of received packages (the service's; `sisflow transfer` sets SISFLOW_TRANSFER_PACKAGES); a package is named by its request, never by a path" },
      ...HTTPS_CONNECTION_SETTINGS,
    },
  },
  secretSettings: ['signing_key', 'encryption_key'],
  source: {
    settings: { type: 'object', required: ['table'], additionalProperties: false, properties: { table: TABLE } },
    describe: (ctx) => {
      if (!requireSettings(ctx, ['encryption_key', 'packages_dir', 'request'], 'read a package')) return undefined;
      const schema = transferTable(ctx);
      return schema ? { schema, needs: { permissions: [`records transfer: open packages addressed to district ${String(ctx.connection.district)}`] } } : undefined;
    },
    read: async function* (req, ctx) {
      yield* (await import('./transfer-source.js')).readPackageTable(req, ctx);
    },
  },
  sink: {
    settings: { type: 'object', required: ['table'], additionalProperties: false, properties: { table: TABLE } },
    describe: (ctx) => {
      if (!requireSettings(ctx, ['signing_key', 'to', 'request'], 'send a package')) return undefined;
      const schema = transferTable(ctx);
      if (!schema) return undefined;
      for (const col of ctx.schema) {
        if (!schema.some((c) => c.name === col.name)) {
          ctx.report('SF208', `the output has a column \`${col.name}\`, which ${String(ctx.settings.table)} does not have`, ['table'], 'a package carries catalog columns only: name the step\'s columns after the table\'s');
          return undefined;
        }
      }
      if (!ctx.schema.some((c) => c.name === 'ID')) {
        ctx.report('SF208', 'the output has no `ID` column: a package is one student\'s records, named by ID', ['table']);
        return undefined;
      }
      return { target: `district ${String(ctx.connection.to)} (request ${String(ctx.connection.request)}): ${String(ctx.settings.table).toUpperCase()}`, needs: { permissions: [`records transfer: send as district ${String(ctx.connection.district)}`] } };
    },
    write: async (req, ctx) => (await import('./transfer-sink.js')).stagePackageTable(req, ctx),
  },
};

function requireSettings(ctx: DescribeContext, names: string[], purpose: string): boolean {
  const missing = names.filter((n) => ctx.connection[n] === undefined);
  for (const n of missing) ctx.report('SF402', `the records-transfer connection needs \`${n}\` to ${purpose}`, ['table'], n.endsWith('_key') ? `add \`${n}: \${secret:transfer_${n}}\` to the connection` : `add \`${n}:\` to the connection (usually \`\${param:…}\`)`);
  return missing.length === 0;
}

/** A catalog table keyed by the student's permanent ID: what a package may carry. */
function transferTable(ctx: DescribeContext): RowSchema | undefined {
  const name = String(ctx.settings.table).toUpperCase();
  const table = AERIES_CATALOG.get(name);
  if (!table) {
    ctx.report('SF209', `\`${String(ctx.settings.table)}\` is not a table in the Aeries catalog`, ['table'], `records-transfer tables: ${TRANSFER_TABLES.join(', ')}`);
    return undefined;
  }
  if (table.key[0] !== 'ID') {
    ctx.report('SF404', `${name} is not keyed by the student ID, so it cannot travel in a records package`, ['table'], `records-transfer tables: ${TRANSFER_TABLES.join(', ')}`);
    return undefined;
  }
  return tableSchema(table);
}

const TRANSFER_TABLES = [...AERIES_CATALOG.values()].filter((t) => t.key[0] === 'ID').map((t) => t.name);

// `use: oneroster-csv` — a OneRoster 1.1 CSV bundle as a destination. Each output writes one file
// of the bundle (`file: orgs`); all outputs into the same bundle are spooled, and when the last
// of them commits, sisflow writes the manifest (present files bulk, the others absent), runs the
// conformance checker over the whole bundle, and only if it conforms publishes it atomically as
// a zip or a folder, locally or uploaded to an SFTP server (`sftp:`). In delta mode the outputs
// still write whole files; the sink sends only what changed since the last published run
// (delta.ts).
import { parseTypeName, type Connector, type DescribeContext, type RowSchema, type Settings } from '@sisflow/core';
import { sftpConnector, sftpUrl } from '../sftp/sftp-connector.js';
import { relativePathProblem } from '../files/paths.js';
import { FILE_BY_NAME, FILES, isListColumn, type ColumnSpec } from './standard.js';

export const onerosterCsvConnector: Connector = {
  name: 'oneroster-csv',
  summary: 'a OneRoster 1.1 CSV bundle (zip or folder), conformance-checked before it is published',
  connection: {
    type: 'object',
    required: ['path'],
    additionalProperties: false,
    properties: {
      path: { type: 'string', minLength: 1, description: 'the bundle: `oneroster.zip` (a zip) or `oneroster` (a folder), relative to the spec' },
      system_name: { type: 'string', minLength: 1, default: 'sisflow', description: 'source.systemName in the manifest' },
      mode: { enum: ['bulk', 'delta'], default: 'bulk', description: 'bulk: every record; delta: only what changed since the last published run (status and dateLastModified filled by sisflow)' },
      sftp: { ...sftpConnector.connection, description: 'deliver the bundle (a zip) to this SFTP server instead of a local file: `path` is then the remote path; the same settings as an sftp connection' },
      snapshot: { type: 'string', minLength: 1, description: 'delta mode: where the last published data is kept to compare with (default: .NAME.snapshot.zip beside the bundle)' },
    },
  },
  secretSettings: ['sftp.password', 'sftp.private_key', 'sftp.passphrase'],
  checkConnection: ({ connection, report }) => {
    if (connection.sftp === undefined) return;
    if (!String(connection.path).endsWith('.zip')) report('SF408', 'a bundle delivered over SFTP must be a zip', ['path'], 'end `path` with .zip (a folder cannot be swapped in atomically on the server)');
    sftpConnector.checkConnection?.({ connection: connection.sftp as Settings, report: (code, message, rel, hint) => report(code, message, ['sftp', ...rel], hint) });
  },
  source: {
    settings: {
      type: 'object',
      required: ['file'],
      additionalProperties: false,
      properties: {
        file: { enum: FILES.map((f) => f.name), description: 'which file of the bundle this source reads; its columns and their types come from the standard' },
        check: { enum: ['error', 'warn'], default: 'error', description: 'a bundle that does not conform is refused before any row is read (error), or read with its problems as warnings (warn)' },
      },
    },
    describe: (ctx) => {
      const problem = relativePathProblem(String(ctx.connection.path));
      if (problem) {
        ctx.report('SF405', problem, ['file'], 'give the connection a path such as in/oneroster.zip or in/oneroster');
        return undefined;
      }
      if (ctx.connection.sftp !== undefined || ctx.connection.mode === 'delta') {
        ctx.report('SF408', ctx.connection.sftp !== undefined ? 'a bundle is read from a local folder or zip, not over `sftp:`' : '`mode: delta` is how a bundle is written; a bundle read says its own mode in its manifest', ['file'], ctx.connection.sftp !== undefined ? 'fetch the zip first (an sftp source, or the vendor\'s drop), then read it here' : 'remove `mode` from the connection that is read');
        return undefined;
      }
      return { schema: bundleFileSchema(String(ctx.settings.file)) };
    },
    read: async function* (req, ctx) {
      yield* (await import('./bundle-source.js')).readBundleFile(req, ctx);
    },
  },
  sink: {
    settings: {
      type: 'object',
      required: ['file'],
      additionalProperties: false,
      properties: { file: { enum: FILES.map((f) => f.name), description: 'which file of the bundle this output writes' } },
    },
    describe: (ctx) => describeFile(ctx),
    write: async (req, ctx) => (await import('./bundle-write.js')).writeBundleFile(req, ctx),
    // A held run keeps the whole bundle, staged beside its destination (held-bundle.ts).
    publishHeld: async (held, ctx) => (await import('./held-bundle.js')).publishHeldBundle(held, ctx),
    discardHeld: async (held, ctx) => (await import('./held-bundle.js')).discardHeldBundle(held, ctx),
  },
};

/** The type a column of the standard is read as (lists as list<string>, years as int). */
function columnType(c: ColumnSpec): string {
  if (isListColumn(c)) return 'list<string>';
  const t = { date: 'date', datetime: 'datetime', bool: 'bool', year: 'int' }[c.rule.kind as string] ?? 'string';
  return c.required ? t : `${t}?`;
}

/** The row schema of one file of the standard, as a source reads it. */
export function bundleFileSchema(file: string): RowSchema {
  return FILE_BY_NAME.get(file)!.columns.map((c) => ({ name: c.name, type: parseTypeName(columnType(c))! }));
}

function describeFile(ctx: DescribeContext & { schema: RowSchema }) {
  const path = String(ctx.connection.path);
  for (const p of [path, ...(typeof ctx.connection.snapshot === 'string' ? [ctx.connection.snapshot] : [])]) {
    const problem = relativePathProblem(p);
    if (problem) {
      ctx.report('SF405', problem, ['file'], 'give the connection a path such as out/oneroster.zip');
      return undefined;
    }
  }
  const spec = FILE_BY_NAME.get(String(ctx.settings.file))!;
  const want = spec.columns.map((c) => c.name);
  const have = ctx.schema.map((c) => c.name);
  if (want.join(',') !== have.join(',')) {
    const i = want.findIndex((w, k) => have[k] !== w);
    ctx.report('SF208', `${spec.name}.csv needs the columns ${want.join(', ')} in this order; column ${i + 1} is ${have[i] ?? 'missing'}, not ${want[i]}`, ['file'], `name the step's columns after the standard's, in its order`);
    return undefined;
  }
  const sftp = ctx.connection.sftp as Settings | undefined;
  return { target: `${sftp ? sftpUrl(sftp, path) : path}#${spec.name}.csv` };
}

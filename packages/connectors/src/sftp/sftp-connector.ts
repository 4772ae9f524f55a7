// `use: sftp` — CSV files on an SFTP server (Destiny's patron drop, SIRAS's tableA/tableB), read
// and written with the same CSV settings as local files. Outputs are spooled to a local file, then
// uploaded under a temporary name and renamed into place only when the whole run succeeded.
import type { Connector, DescribeContext, Settings } from '@sisflow/core';
import { CSV_READ_SETTINGS, CSV_WRITE_SETTINGS } from '../csv/csv-settings.js';
import { checkCsvOutput, csvSourceSchema } from '../csv/csv-settings.js';
import { relativePathProblem } from '../files/paths.js';
import { FINGERPRINT_PATTERN } from './host-key.js';

const PATH = { type: 'string', minLength: 1, description: "remote file path relative to the connection's `dir`" };
const FINGERPRINT = { type: 'string', pattern: FINGERPRINT_PATTERN, description: 'SHA256:… as `ssh-keygen -lf` and `sisflow sftp fingerprint` print it' };

export const sftpConnector: Connector = {
  name: 'sftp',
  summary: 'CSV files on an SFTP server: host key pinned, atomic uploads, retries',
  connection: {
    type: 'object',
    required: ['host', 'username', 'host_key'],
    additionalProperties: false,
    properties: {
      host: { type: 'string', minLength: 1, description: 'server name or address' },
      port: { type: 'integer', minimum: 1, maximum: 65535, default: 22, description: 'TCP port (SIRAS uses 7472)' },
      username: { type: 'string', minLength: 1 },
      password: { type: 'string', description: 'a ${secret:…} or ${env:…} reference' },
      private_key: { type: 'string', description: 'the private key text (OpenSSH or PEM), as a ${secret:…} reference' },
      passphrase: { type: 'string', description: "the private key's passphrase, as a ${secret:…} reference" },
      host_key: {
        // Not a oneOf: this way a bad fingerprint is reported at itself, as a pattern mismatch.
        type: ['string', 'array'],
        pattern: FINGERPRINT_PATTERN,
        minItems: 1,
        items: FINGERPRINT,
        description: "the server's host key fingerprint, SHA256:… (or a list of them during a key change); any other key is refused",
      },
      dir: { type: 'string', minLength: 1, description: 'remote folder that paths are relative to (default: the login folder)' },
      connect_timeout_seconds: { type: 'number', exclusiveMinimum: 0, maximum: 600, default: 20 },
      timeout_seconds: { type: 'number', exclusiveMinimum: 0, maximum: 3600, default: 60, description: 'an operation with no progress for this long fails' },
      keepalive_seconds: { type: 'number', exclusiveMinimum: 0, maximum: 600, default: 15 },
      retries: { type: 'integer', minimum: 0, maximum: 10, default: 3, description: 'further attempts after a network failure (never after a refused login or host key)' },
      retry_delay_seconds: { type: 'number', minimum: 0, maximum: 600, default: 2, description: 'wait before the first retry; doubles each time' },
    },
  },
  secretSettings: ['password', 'private_key', 'passphrase'],
  // `sisflow doctor`: host key, login, files to read, folders to write (no data moved).
  checkAccess: async (req) => (await import('./sftp-access.js')).checkSftpAccess(req),
  checkConnection: ({ connection, report }) => {
    if (connection.password === undefined && connection.private_key === undefined) {
      report('SF402', 'an sftp connection needs `password` or `private_key`', [], 'add `private_key: ${secret:NAME}` (preferred) or `password: ${secret:NAME}`');
    }
    if (connection.passphrase !== undefined && connection.private_key === undefined) {
      report('SF408', '`passphrase` without `private_key`', ['passphrase'], 'the passphrase unlocks `private_key`; add it or remove the passphrase');
    }
  },
  source: {
    settings: {
      type: 'object',
      required: ['path'],
      additionalProperties: false,
      properties: {
        path: { ...PATH, description: 'remote file, or a glob in the last segment (`incoming/tableA*.csv`); several files are read in name order' },
        missing: { enum: ['error', 'empty'], default: 'error', description: 'no matching file fails the run, or reads as empty with a warning' },
        stable_seconds: { type: 'number', minimum: 0, maximum: 600, default: 0, description: 'wait until the files have not grown for this long before reading' },
        after: { enum: ['keep', 'delete', 'archive'], default: 'keep', description: 'what a successful run does with the files it read' },
        archive_dir: { type: 'string', minLength: 1, description: 'for `after: archive`: the folder files move to (as NAME.YYYYMMDDTHHMMSSZ)' },
        ...CSV_READ_SETTINGS,
      },
    },
    describe: (ctx) => {
      if (!checkPath(ctx)) return undefined;
      if (isGlob(String(ctx.settings.path).split('/').slice(0, -1).join('/'))) {
        ctx.report('SF405', 'a glob may only be in the file name, not in the folders', ['path'], 'write e.g. `incoming/tableA*.csv`');
        return undefined;
      }
      if (ctx.settings.after === 'archive' && ctx.settings.archive_dir === undefined) {
        ctx.report('SF402', '`after: archive` needs `archive_dir`', ['after'], 'add `archive_dir: archive`');
        return undefined;
      }
      const archiveProblem = typeof ctx.settings.archive_dir === 'string' ? relativePathProblem(ctx.settings.archive_dir) : undefined;
      if (archiveProblem) {
        ctx.report('SF405', archiveProblem.replace('the path', '`archive_dir`'), ['archive_dir'], 'write a folder inside the connection\'s `dir`, such as `archive`');
        return undefined;
      }
      if (ctx.settings.archive_dir !== undefined && ctx.settings.after !== 'archive') {
        ctx.report('SF408', '`archive_dir` is set, but `after` is not `archive`', ['archive_dir'], 'add `after: archive`, or remove `archive_dir`');
      }
      const schema = csvSourceSchema(ctx);
      return schema && { schema };
    },
    // The transfer code (ssh2) loads on first use: validate and plan never pay for it.
    read: async function* (req, ctx) {
      yield* (await import('./transfer.js')).readRemote(req, ctx);
    },
    // A file read for a lookup and for the main pass is downloaded once: a second download costs
    // a transfer, and the file may have been replaced in between.
    readOnce: true,
  },
  sink: {
    settings: {
      type: 'object',
      required: ['path'],
      additionalProperties: false,
      properties: {
        path: PATH,
        format: { enum: ['csv'], default: 'csv' },
        keep_versions: { type: 'integer', minimum: 0, maximum: 100, default: 0, description: 'keep this many previous files as NAME.YYYYMMDDTHHMMSSZ' },
        ...CSV_WRITE_SETTINGS,
      },
    },
    describe: (ctx) => (checkPath(ctx) && checkCsvOutput(ctx) ? { target: sftpUrl(ctx.connection, String(ctx.settings.path)) } : undefined),
    write: async (req, ctx) => (await import('./transfer.js')).writeRemote(req, ctx),
  },
};

function checkPath(ctx: DescribeContext): boolean {
  const problem = relativePathProblem(String(ctx.settings.path));
  if (problem) ctx.report('SF405', problem, ['path'], 'write a path such as `patrons.csv` or `incoming/tableA.csv`, and put the folder in the connection\'s `dir`');
  return !problem;
}

const GLOB = /[*?[\]{}]/;

export function isGlob(path: string): boolean {
  return GLOB.test(path);
}

export function remotePath(dir: unknown, path: string): string {
  return typeof dir === 'string' ? `${dir.replace(/^\/+|\/+$/g, '')}/${path}` : path;
}

/** How plans and reports name a file on an sftp connection: `sftp://host:port/dir/path`. */
export function sftpUrl(connection: Settings, path: string): string {
  return `sftp://${String(connection.host)}:${String(connection.port ?? 22)}/${remotePath(connection.dir || undefined, path)}`;
}


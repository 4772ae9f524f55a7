// `use: files` — a local folder: CSV files are read from it and written to it atomically.
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { parseTypeName, type Connector, type DescribeContext, type RowSchema, type RunContext, type SinkResult, type SinkWriteRequest, type SourceBatch, type SourceReadRequest } from '@sisflow/core';
import { CSV_READ_SETTINGS, CSV_WRITE_SETTINGS, csvReadOptions, csvWriteOptions } from '../csv/csv-settings.js';
import { csvFormatter } from '../csv/csv-writer.js';
import { readCsv } from '../csv/csv-reader.js';
import { AtomicFile } from './atomic-file.js';
import { relativePathProblem, resolveInside } from './paths.js';

const PATH = { type: 'string', minLength: 1, description: 'file path relative to the connection\'s `dir`' };

export const filesConnector: Connector = {
  name: 'files',
  summary: 'a local folder: reads CSV files from it, writes CSV files to it atomically',
  connection: {
    type: 'object',
    required: ['dir'],
    additionalProperties: false,
    properties: { dir: { type: 'string', minLength: 1, description: 'folder, relative to the spec file' } },
  },
  source: {
    settings: {
      type: 'object',
      required: ['path', 'columns'],
      additionalProperties: false,
      properties: {
        path: PATH,
        missing: { enum: ['error', 'empty'], default: 'error', description: 'a missing file fails the run, or reads as empty with a warning' },
        ...CSV_READ_SETTINGS,
      },
    },
    describe: (ctx) => (checkPath(ctx) ? { schema: declaredSchema(ctx.settings.columns as Record<string, string>) } : undefined),
    read: readFile,
  },
  sink: {
    settings: {
      type: 'object',
      required: ['path'],
      additionalProperties: false,
      properties: { path: PATH, format: { enum: ['csv'], default: 'csv' }, ...CSV_WRITE_SETTINGS },
    },
    describe: (ctx) => (checkPath(ctx) ? { target: `${String(ctx.connection.dir).replace(/\/$/, '')}/${String(ctx.settings.path)}` } : undefined),
    write: writeFile,
  },
};

function checkPath(ctx: DescribeContext): boolean {
  const problem = relativePathProblem(String(ctx.settings.path));
  if (problem) ctx.report('SF405', problem, ['path'], 'write a path such as `patrons.csv` or `exports/patrons.csv`');
  return !problem;
}

export function declaredSchema(columns: Record<string, string>): RowSchema {
  return Object.entries(columns).map(([name, t]) => ({ name, type: parseTypeName(t)! }));
}

async function* readFile(req: SourceReadRequest, ctx: RunContext): AsyncIterable<SourceBatch> {
  const path = resolveInside(ctx.baseDir, String(req.connection.dir), String(req.settings.path));
  const exists = await stat(path).then((s) => s.isFile(), () => false);
  if (!exists) {
    if (req.settings.missing === 'empty') {
      ctx.warn(`${req.settings.path} does not exist; read as empty`);
      return;
    }
    throw new Error(`${req.settings.path} does not exist in ${req.connection.dir}`);
  }
  const stream = createReadStream(path, { highWaterMark: 256 * 1024 });
  try {
    yield* readCsv(stream, csvReadOptions(req.settings), ctx, req.batchSize, String(req.settings.path));
  } finally {
    stream.destroy();
  }
}

async function writeFile(req: SinkWriteRequest, ctx: RunContext): Promise<SinkResult> {
  const path = resolveInside(ctx.baseDir, String(req.connection.dir), String(req.settings.path));
  const format = csvFormatter(req.schema, csvWriteOptions(req.settings));
  const file = await AtomicFile.create(path);
  let rows = 0;
  try {
    await file.write(Buffer.from(format.start(), 'utf8'));
    for await (const batch of req.rows) {
      if (ctx.signal.aborted) throw ctx.signal.reason ?? new Error('the run was cancelled');
      rows += batch.length;
      await file.write(Buffer.from(format.rows(batch), 'utf8'));
    }
    return { rows, files: [req.dryRun ? await file.discard() : await file.commit()] };
  } catch (e) {
    await file.abort();
    throw e;
  }
}

// `use: files` — a local folder: CSV files are read from it and written to it atomically.
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { type Connector, type DescribeContext, type RunContext, type SinkWriteRequest, type StagedWrite, type SourceBatch, type SourceReadRequest } from '@sisflow/core';
import { CSV_READ_SETTINGS, CSV_WRITE_SETTINGS, checkCsvOutput, companionPath, csvReadOptions, csvSourceSchema } from '../csv/csv-settings.js';
import { patronProperties } from '../destiny/properties-file.js';
import { writeCsvRows } from '../csv/csv-writer.js';
import { readCsv } from '../csv/csv-reader.js';
import { AtomicFile, commitTogether } from './atomic-file.js';
import { relativePathProblem, resolveInside } from './paths.js';

const PATH = { type: 'string', minLength: 1, description: 'file path relative to the connection\'s `dir`' };

export const filesConnector: Connector = {
  name: 'files',
  summary: 'a local folder: reads CSV files from it, writes CSV files to it atomically',
  // `sisflow doctor`: files to read are there, folders to write take a file (no data moved).
  checkAccess: async (req) => (await import('./files-access.js')).checkFilesAccess(req),
  connection: {
    type: 'object',
    required: ['dir'],
    additionalProperties: false,
    properties: { dir: { type: 'string', minLength: 1, description: 'folder, relative to the spec file' } },
  },
  source: {
    settings: {
      type: 'object',
      required: ['path'],
      additionalProperties: false,
      properties: {
        path: PATH,
        missing: { enum: ['error', 'empty'], default: 'error', description: 'a missing file fails the run, or reads as empty with a warning' },
        ...CSV_READ_SETTINGS,
      },
    },
    describe: (ctx) => {
      const schema = checkPath(ctx) ? csvSourceSchema(ctx) : undefined;
      return schema && { schema };
    },
    read: readFile,
  },
  sink: {
    settings: {
      type: 'object',
      required: ['path'],
      additionalProperties: false,
      properties: { path: PATH, format: { enum: ['csv'], default: 'csv' }, ...CSV_WRITE_SETTINGS },
    },
    describe: (ctx) => (checkPath(ctx) && checkCsvOutput(ctx) ? { target: `${String(ctx.connection.dir).replace(/\/$/, '')}/${String(ctx.settings.path)}` } : undefined),
    write: writeFile,
  },
};

function checkPath(ctx: DescribeContext): boolean {
  const problem = relativePathProblem(String(ctx.settings.path));
  if (problem) ctx.report('SF405', problem, ['path'], 'write a path such as `patrons.csv` or `exports/patrons.csv`');
  return !problem;
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

async function writeFile(req: SinkWriteRequest, ctx: RunContext): Promise<StagedWrite> {
  const path = resolveInside(ctx.baseDir, String(req.connection.dir), String(req.settings.path));
  const files = [await AtomicFile.create(path)];
  try {
    const rows = await writeCsvRows(req, ctx, (chunk) => files[0]!.write(chunk));
    const written = [await files[0]!.finish()];
    const properties = companionPath(req.settings);
    if (properties) {
      // Destiny's mapping of the same columns, published with the CSV: both or neither.
      const f = await AtomicFile.create(resolveInside(ctx.baseDir, String(req.connection.dir), properties));
      files.unshift(f);
      await f.write(Buffer.from(patronProperties(basename(path), req.schema), 'latin1'));
      written.push(await f.finish());
    }
    return { result: { rows, files: written }, commit: () => commitTogether(files), abort: async () => void (await Promise.all(files.map((f) => f.abort()))) };
  } catch (e) {
    await Promise.all(files.map((f) => f.abort()));
    throw e;
  }
}
